package resource

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func TestDeriveTracksWhatAFunctionMakesOfASecret(t *testing.T) {
	const pw = "Xq7SuperSecret-Pw1z"
	tests := []struct {
		name    string
		result  any
		args    []any
		want    any      // the result Derive returns
		secrets []string // the secrets tracked after pw
	}{
		{"a part of the secret becomes a secret", "SuperSecret", []any{pw, int64(3), int64(11)}, "SuperSecret", []string{"SuperSecret"}},
		{"each part of a split secret becomes a secret", []any{"Xq7SuperSecret", "Pw1z"}, []any{pw, "-"},
			[]any{"Xq7SuperSecret", "Pw1z"}, []string{"Xq7SuperSecret", "Pw1z"}},
		{"a part too short to mask becomes unknown", "X", []any{pw}, &Unknown{Reason: DerivedReason}, nil},
		{"a part too short to mask inside an array becomes unknown there", []any{"Xq7SuperSecret", "Pw"}, []any{pw, "1z"},
			[]any{"Xq7SuperSecret", &Unknown{Reason: DerivedReason}}, []string{"Xq7SuperSecret"}},
		{"an empty part stays empty", "", []any{pw, int64(40)}, "", nil},
		{"a string holding the whole secret stays as it is, the secret masked in it", "apim-" + pw, []any{"apim-", pw}, "apim-" + pw, nil},
		{"a string holding the secret and text of arguments that carry none stays as it is", "apim-" + pw + "-eu", []any{"apim-", pw, "-", "eu"}, "apim-" + pw + "-eu", nil},
		{"a string whose plain text also stands across the secret's edge becomes a secret", "apim-" + pw + "-x", []any{"apim-", pw, "-", "x"},
			"apim-" + pw + "-x", []string{"apim-" + pw + "-x"}},
		{"a character cut from the secret that an argument also holds outside it is unknown", "e", []any{pw + "abcdefghijklmnopqrstuvwxyz0123456789", int64(9), int64(1)},
			&Unknown{Reason: DerivedReason}, nil},
		{"a character cut from the plain text after the secret is unknown when the secret holds it too", "s", []any{pw + "-suffix", int64(20), int64(1)},
			&Unknown{Reason: DerivedReason}, nil},
		{"a run cut across the secret's edge is a secret even when an argument holds it elsewhere", "1zab", []any{pw + "abcd", "x1zabx", int64(17), int64(4)},
			"1zab", []string{"1zab"}},
		{"a part cut from plain text beside the secret becomes a secret", "suffix", []any{pw + "-suffix", int64(20), int64(6)}, "suffix", []string{"suffix"}},
		{"a part of an argument outside the secret becomes a secret, as the secret may have chosen where it was cut", []any{"apim", "Xq7SuperSecret", "Pw1z"}, []any{"apim-" + pw, "-"},
			[]any{"apim", "Xq7SuperSecret", "Pw1z"}, []string{"apim", "Xq7SuperSecret", "Pw1z"}},
		{"parts of plain text split at the secret become secrets, as where it was cut tells the secret", []any{"abcdef", "ghijkl"}, []any{"abcdef" + pw + "ghijkl", pw},
			[]any{"abcdef", "ghijkl"}, []string{"abcdef", "ghijkl"}},
		{"a string holding the secret beside more of it becomes a secret", "DEFGH" + pw, []any{pw + pw, int64(11)}, "DEFGH" + pw, []string{"DEFGH" + pw}},
		{"an upper-cased secret holds the secret", "XQ7SUPERSECRET-PW1Z", []any{pw}, "XQ7SUPERSECRET-PW1Z", nil},
		{"a literal passed beside the secret is no secret", []any{pw, "westeurope"}, []any{pw, "westeurope"}, []any{pw, "westeurope"}, nil},
		{"an object key passed beside the secret is no secret", []any{map[string]any{"key": "name", "value": pw}}, []any{map[string]any{"name": pw}},
			[]any{map[string]any{"key": "name", "value": pw}}, nil},
		{"a hash of the secret becomes a secret", "ddcwpprjexkuo", []any{pw}, "ddcwpprjexkuo", []string{"ddcwpprjexkuo"}},
		{"what a function makes of plain values is no secret", "WESTEUROPE", []any{"westeurope"}, "WESTEUROPE", nil},
		{"a number made of the secret becomes unknown, as numbers could spell it out", int64(19), []any{pw}, &Unknown{Reason: DerivedNumberReason}, nil},
		{"a number made of plain values stays", int64(19), []any{"westeurope"}, int64(19), nil},
		{"a bool that asks whether the secret is empty stays, for conditions", true, []any{pw}, true, nil},
		{"a bool that compares the secret with an empty string stays", false, []any{pw, ""}, false, nil},
		{"a bool that asks whether a secure object has a key stays", true, []any{map[string]any{"a": pw}, "a"}, true, nil},
		{"a bool that compares the secret with a letter becomes unknown, as one per letter spells it out", true, []any{pw, "x"},
			&Unknown{Reason: DerivedBoolReason}, nil},
		{"a bool that compares the secret with text made of it becomes unknown", true, []any{pw, "x" + pw},
			&Unknown{Reason: DerivedBoolReason}, nil},
		{"a bool that compares a secure object with another object becomes unknown", false, []any{map[string]any{"a": pw}, map[string]any{"a": "x"}},
			&Unknown{Reason: DerivedBoolReason}, nil},
		{"a bool that compares a secure object with another holding the secret becomes unknown", true, []any{map[string]any{"a": pw}, map[string]any{"a": pw}},
			&Unknown{Reason: DerivedBoolReason}, nil},
		{"a bool made of plain values stays", true, []any{"westeurope", "west"}, true, nil},
		{"an argument with the secret in an object carries it", "Other-Value", []any{map[string]any{"a": []any{pw}}}, "Other-Value", []string{"Other-Value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var taint Taint
			taint.Track(pw)
			got := taint.Derive(tt.result, tt.args)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Derive = %#v, want %#v", got, tt.want)
			}
			if want := append([]string{pw}, tt.secrets...); !slices.Equal(taint.Secrets(), want) {
				t.Errorf("secrets %q, want %q", taint.Secrets(), want)
			}
		})
	}
}

func TestAPartHoldingASmallerTrackedPartIsASecretOfItsOwn(t *testing.T) {
	var taint Taint
	taint.Track("ABCDEFGHsekr1t")
	taint.Derive([]any{"ABCDEFGH", "ekr1t"}, []any{"ABCDEFGHsekr1t", "s"}) // split(pw, 's')
	if got := taint.Derive("CDEFGHsekr1t", []any{"ABCDEFGHsekr1t", int64(2)}); got != "CDEFGHsekr1t" || !slices.Contains(taint.Secrets(), "CDEFGHsekr1t") {
		t.Errorf("skip(pw, 2) = %v, secrets %q: want it tracked whole, since masking ekr1t alone prints CDEFGHs", got, taint.Secrets())
	}
}

func TestDeriveDoesNotChangeTheResultItWasGiven(t *testing.T) {
	var taint Taint
	taint.Track("Xq7SuperSecret-Pw1z")
	result := []any{"Xq7SuperSecret", "Pw"}
	_ = taint.Derive(result, []any{"Xq7SuperSecret-Pw1z"})
	if result[1] != "Pw" {
		t.Errorf("result changed to %v: a variable's cached value may share it", result)
	}
}

func TestASecretFoundOnlyInAnotherFormIsCarried(t *testing.T) {
	tests := []struct {
		name string
		arg  string
	}{
		{"base64", "WHE3U3VwZXJTZWNyZXQtUHcxeg=="},
		{"lower case", "xq7supersecret-pw1z"},
		{"JSON-escaped", `{"a":"Xq7\"Super"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name+" carries the secret", func(t *testing.T) {
			var taint Taint
			taint.Track("Xq7SuperSecret-Pw1z")
			taint.Track(`Xq7"Super`)
			if got := taint.Derive("NewString1", []any{tt.arg}); got != "NewString1" || !slices.Contains(taint.Secrets(), "NewString1") {
				t.Errorf("Derive(%q) = %v, secrets %q: want NewString1 tracked", tt.arg, got, taint.Secrets())
			}
		})
	}
}

func TestASecretTooShortToMaskCarriesNothing(t *testing.T) {
	var taint Taint
	taint.Track("ab")
	if got := taint.Derive("x", []any{"ab"}); got != "x" || len(taint.Secrets()) != 1 {
		t.Errorf("Derive = %v, secrets %q: want x untouched and no new secret", got, taint.Secrets())
	}
}

func TestDerivedSecretsAreBounded(t *testing.T) {
	var taint Taint
	taint.Track("Xq7SuperSecret-Pw1z")
	for i := range maxDerived {
		if got := taint.Derive(fmt.Sprintf("hash-%04d", i), []any{"Xq7SuperSecret-Pw1z"}); IsUnknown(got) {
			t.Fatalf("derived string %d is unknown before the bound", i)
		}
	}
	if got := taint.Derive("one-too-many", []any{"Xq7SuperSecret-Pw1z"}); !IsUnknown(got) {
		t.Errorf("Derive beyond the bound = %v, want unknown", got)
	}
	if n := len(taint.Secrets()); n != maxDerived+1 {
		t.Errorf("%d secrets, want %d", n, maxDerived+1)
	}
}

func TestAnEmptyTaintLeavesResultsAlone(t *testing.T) {
	var taint Taint
	result := map[string]any{"a": "b"}
	if got := taint.Derive(result, []any{"anything"}); !reflect.DeepEqual(got, result) || len(taint.Secrets()) != 0 {
		t.Errorf("Derive = %v, secrets %q", got, taint.Secrets())
	}
}

func BenchmarkDeriveWithoutSecrets(b *testing.B) {
	var taint Taint
	args := []any{"westeurope", map[string]any{"type": "SystemAssigned"}}
	for b.Loop() {
		_ = taint.Derive("x", args)
	}
}

func BenchmarkDeriveWithASecretNotInTheArguments(b *testing.B) {
	var taint Taint
	taint.Track("Xq7SuperSecret-Pw1z")
	args := []any{"westeurope", map[string]any{"type": "SystemAssigned", "tags": []any{"a-longer-tag-value"}}}
	for b.Loop() {
		_ = taint.Derive("x", args)
	}
}

func TestSecureHidesTheNumbersOfASecureValue(t *testing.T) {
	unknown := &Unknown{Reason: SecureNumberReason}
	tests := []struct {
		name    string
		value   any
		want    any
		secrets []string
	}{
		{"a number of a secure object becomes unknown", map[string]any{"port": int64(98765), "user": "LeafUser1"},
			map[string]any{"port": unknown, "user": "LeafUser1"}, []string{"LeafUser1"}},
		{"a number deep in a secure array becomes unknown", []any{map[string]any{"n": 4.5}}, []any{map[string]any{"n": unknown}}, nil},
		{"a secure number becomes unknown", int64(424242), unknown, nil},
		{"a bool of a secure object stays, for conditions", map[string]any{"on": true}, map[string]any{"on": true}, nil},
		{"a secure string stays and is tracked", "Xq7SuperSecret", "Xq7SuperSecret", []string{"Xq7SuperSecret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var taint Taint
			got, _ := taint.Secure(tt.value)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Secure = %#v, want %#v", got, tt.want)
			}
			if !slices.Equal(taint.Secrets(), tt.secrets) {
				t.Errorf("secrets %q, want %q", taint.Secrets(), tt.secrets)
			}
		})
	}
}

func TestSecureDoesNotChangeTheValueItWasGiven(t *testing.T) {
	var taint Taint
	value := map[string]any{"a": []any{int64(98765)}}
	_, _ = taint.Secure(value)
	if value["a"].([]any)[0] != int64(98765) {
		t.Errorf("value changed to %v: a parameter's default may share it", value)
	}
}

func TestDeriveCutsHidesAnEmptyResult(t *testing.T) {
	var taint Taint
	taint.Track("Xq7SuperSecret-Pw1z")
	taint.Track("Xq7S") // take(pw, 4)
	if got := taint.DeriveCuts("", []any{"Xq7S", "Xq7S", ""}, "Xq7S"); !reflect.DeepEqual(got, &Unknown{Reason: DerivedReason}) {
		t.Errorf("DeriveCuts = %#v, want unknown: replace(c, take(pw, 4), '') empty tells c is the secret's start", got)
	}
}

func TestDeriveCutsTracksEveryStringCutWhereASecretStands(t *testing.T) {
	const pw, other = "Xq7SuperSecret-Pw1z", "Zz9OtherSecret"
	tests := []struct {
		name    string
		result  any
		args    []any
		pattern any
		secrets []string // the secrets tracked after pw and other
	}{
		{"a part cut at the secret that holds another secret becomes a secret whole", []any{"0123", "abcd-" + other},
			[]any{"0123" + pw + "abcd-" + other, pw}, pw, []string{"0123", "abcd-" + other}},
		{"text rewritten where the secret stands becomes a secret whole", "0123" + other + "abcd",
			[]any{"0123" + pw + "abcd", pw, other}, pw, []string{"0123" + other + "abcd"}},
		{"text the secret's pattern left whole becomes a secret, as that tells the pattern is not in it", []any{"abcd"},
			[]any{"abcd", pw}, pw, []string{"abcd"}},
		{"text rewritten at a plain pattern keeps its plain text beside the secret", "apim-" + pw,
			[]any{"apim-" + pw + "!", "!", ""}, "!", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var taint Taint
			taint.Track(pw)
			taint.Track(other)
			if got := taint.DeriveCuts(tt.result, tt.args, tt.pattern); !reflect.DeepEqual(got, tt.result) {
				t.Errorf("DeriveCuts = %#v, want %#v", got, tt.result)
			}
			if want := append([]string{pw, other}, tt.secrets...); !slices.Equal(taint.Secrets(), want) {
				t.Errorf("secrets %q, want %q", taint.Secrets(), want)
			}
		})
	}
}

func BenchmarkDeriveOfAStringHoldingASecret(b *testing.B) {
	var taint Taint
	taint.Track("Xq7SuperSecret-Pw1z")
	args := []any{"apim-", "Xq7SuperSecret-Pw1z", "-westeurope-", map[string]any{"type": "SystemAssigned"}}
	for b.Loop() {
		_ = taint.Derive("apim-Xq7SuperSecret-Pw1z-westeurope-", args)
	}
}

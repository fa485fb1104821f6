package policy

// Truth is a three-valued (Kleene) truth value: a condition over a value that a source could not
// resolve is Unknown, never a guess.
type Truth int8

// Truth values.
const (
	False Truth = iota
	True
	Unknown
)

func (t Truth) String() string {
	switch t {
	case True:
		return "true"
	case False:
		return "false"
	default:
		return "unknown"
	}
}

func truthOf(b bool) Truth {
	if b {
		return True
	}
	return False
}

// Not is Kleene negation.
func (t Truth) Not() Truth {
	switch t {
	case True:
		return False
	case False:
		return True
	default:
		return Unknown
	}
}

// And is Kleene conjunction: false wins over unknown.
func (t Truth) And(u Truth) Truth {
	switch {
	case t == False || u == False:
		return False
	case t == Unknown || u == Unknown:
		return Unknown
	default:
		return True
	}
}

// Or is Kleene disjunction: true wins over unknown.
func (t Truth) Or(u Truth) Truth {
	switch {
	case t == True || u == True:
		return True
	case t == Unknown || u == Unknown:
		return Unknown
	default:
		return False
	}
}

package funcs

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

func init() {
	library = map[string]function{}
	for name, fn := range map[string]function{
		// Deployment values.
		"parameters": {1, 1, strict, func(ctx Context, a []any) (any, error) {
			name, err := asString("the parameter name", a[0])
			if err != nil {
				return nil, err
			}
			return ctx.Parameter(name)
		}},
		"variables": {1, 1, strict, func(ctx Context, a []any) (any, error) {
			name, err := asString("the variable name", a[0])
			if err != nil {
				return nil, err
			}
			return ctx.Variable(name)
		}},
		"copyindex": {0, 2, strict, copyIndex},
		"deployment": {0, 0, strict, func(ctx Context, _ []any) (any, error) {
			s := ctx.Scope()
			return map[string]any{
				"name":     s.value(FieldDeploymentName, s.DeploymentName),
				"location": deploymentLocation(s),
				"properties": map[string]any{
					"template":     map[string]any{"contentVersion": s.ContentVersion},
					"templateLink": unknown("the template's location is known only at deployment"),
				},
			}, nil
		}},
		"extensions": {1, 1, strict, func(Context, []any) (any, error) {
			return unknown("extension configuration is supplied at deployment"), nil
		}},
		"like": {2, 2, strict, func(_ Context, a []any) (any, error) {
			s, err1 := asString("the string", a[0])
			pattern, err2 := asString("the pattern", a[1])
			if err := firstErr(err1, err2); err != nil {
				return nil, err
			}
			return Like(s, pattern), nil
		}},
		"distinct": {1, 1, shallow, func(_ Context, a []any) (any, error) {
			arr, err := asArray("the argument", a[0])
			if err != nil {
				return nil, err
			}
			out := []any{}
		next:
			for _, e := range arr {
				for _, have := range out {
					if Equal(have, e) {
						continue next
					}
				}
				out = append(out, e)
			}
			return out, nil
		}},
		"environment": {0, 0, strict, func(Context, []any) (any, error) {
			return unknown("the cloud environment is known only at deployment"), nil
		}},
		"utcnow": {0, 1, lenient, func(Context, []any) (any, error) { return unknown("utcNow() is the time of deployment"), nil }},
		"deployer": {0, 0, strict, func(Context, []any) (any, error) {
			return unknown("deployer() is the identity that runs the deployment"), nil
		}},
		"newguid": {0, 0, strict, func(Context, []any) (any, error) { return unknown("newGuid() is random at deployment"), nil }},
		"datetimeadd": {2, 3, strict, func(Context, []any) (any, error) {
			return unknown("dateTimeAdd() is not evaluated offline"), nil
		}},
		"datetimefromepoch": {1, 1, strict, func(Context, []any) (any, error) {
			return unknown("dateTimeFromEpoch() is not evaluated offline"), nil
		}},
		"datetimetoepoch": {1, 1, strict, func(Context, []any) (any, error) {
			return unknown("dateTimeToEpoch() is not evaluated offline"), nil
		}},
		"reference": {1, 3, lenient, func(_ Context, a []any) (any, error) {
			return unknown("reference() reads the deployed resource's runtime state"), nil
		}},
		"references": {1, 2, lenient, func(Context, []any) (any, error) {
			return unknown("references() reads the deployed resources' runtime state"), nil
		}},
		"providers": {1, 2, lenient, func(Context, []any) (any, error) {
			return unknown("providers() reads the resource provider registry"), nil
		}},
		"pickzones": {3, 5, lenient, func(Context, []any) (any, error) {
			return unknown("pickZones() depends on the region's availability zones"), nil
		}},

		// Scope.
		"resourcegroup": {0, 0, strict, func(ctx Context, _ []any) (any, error) {
			s := ctx.Scope()
			return map[string]any{
				"id":         scopeID(s, true),
				"name":       s.value(FieldResourceGroup, s.ResourceGroup),
				"type":       "Microsoft.Resources/resourceGroups",
				"location":   s.value(FieldLocation, s.Location),
				"managedBy":  unknown("resourceGroup().managedBy is known only at deployment"),
				"tags":       unknown("resourceGroup().tags is known only at deployment"),
				"properties": map[string]any{"provisioningState": "Succeeded"},
			}, nil
		}},
		"subscription": {0, 0, strict, func(ctx Context, _ []any) (any, error) {
			s := ctx.Scope()
			return map[string]any{
				"id":             scopeID(s, false),
				"subscriptionId": s.value(FieldSubscription, s.SubscriptionID),
				"tenantId":       s.value(FieldTenant, s.TenantID),
				"displayName":    unknown("the subscription's display name is known only at deployment"),
			}, nil
		}},
		"tenant": {0, 0, strict, func(ctx Context, _ []any) (any, error) {
			s := ctx.Scope()
			return map[string]any{
				"tenantId":    s.value(FieldTenant, s.TenantID),
				"displayName": unknown("the tenant's display name is known only at deployment"),
			}, nil
		}},
		"managementgroup": {0, 1, strict, func(ctx Context, a []any) (any, error) {
			s := ctx.Scope()
			name := s.value(FieldManagementGroup, s.ManagementGroup)
			if len(a) == 1 {
				name = a[0]
			}
			id := name
			if s, ok := name.(string); ok {
				id = "/providers/Microsoft.Management/managementGroups/" + s
			}
			return map[string]any{"id": id, "name": name, "type": "/providers/Microsoft.Management/managementGroups"}, nil
		}},
		"resourceid":                {2, -1, strict, func(ctx Context, a []any) (any, error) { return resourceID(ctx, a, "resourceGroup") }},
		"subscriptionresourceid":    {2, -1, strict, func(ctx Context, a []any) (any, error) { return resourceID(ctx, a, "subscription") }},
		"tenantresourceid":          {2, -1, strict, func(ctx Context, a []any) (any, error) { return resourceID(ctx, a, "tenant") }},
		"managementgroupresourceid": {2, -1, strict, func(ctx Context, a []any) (any, error) { return resourceID(ctx, a, "managementGroup") }},
		"extensionresourceid":       {3, -1, strict, extensionResourceID},

		// Logic and comparison.
		"true":  {0, 0, strict, func(Context, []any) (any, error) { return true, nil }},
		"false": {0, 0, strict, func(Context, []any) (any, error) { return false, nil }},
		"null":  {0, 0, strict, func(Context, []any) (any, error) { return nil, nil }},
		"not": {1, 1, strict, func(_ Context, a []any) (any, error) {
			b, err := asBool("the argument", a[0])
			return !b, err
		}},
		"and":      {2, -1, lenient, func(_ Context, a []any) (any, error) { return logic(a, false) }},
		"or":       {2, -1, lenient, func(_ Context, a []any) (any, error) { return logic(a, true) }},
		"if":       {3, 3, lenient, ifFunc},
		"coalesce": {1, -1, lenient, coalesce},
		"equals": {2, 2, strict, func(_ Context, a []any) (any, error) {
			return Equal(a[0], a[1]), nil
		}},
		"greater":         {2, 2, strict, func(_ Context, a []any) (any, error) { return compare(a, func(c int) bool { return c > 0 }) }},
		"greaterorequals": {2, 2, strict, func(_ Context, a []any) (any, error) { return compare(a, func(c int) bool { return c >= 0 }) }},
		"less":            {2, 2, strict, func(_ Context, a []any) (any, error) { return compare(a, func(c int) bool { return c < 0 }) }},
		"lessorequals":    {2, 2, strict, func(_ Context, a []any) (any, error) { return compare(a, func(c int) bool { return c <= 0 }) }},
		"bool": {1, 1, strict, func(_ Context, a []any) (any, error) {
			switch v := a[0].(type) {
			case bool:
				return v, nil
			case string:
				// Any letter case of "true" is true; every other string is false (documented for bool()).
				return strings.EqualFold(v, "true"), nil
			}
			if n, ok := AsInt(a[0]); ok {
				return n != 0, nil
			}
			return nil, typeErr("the argument", "a bool, string or integer", a[0])
		}},

		// Numbers.
		"int": {1, 1, strict, func(_ Context, a []any) (any, error) {
			switch v := a[0].(type) {
			case string:
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err != nil {
					// The value is not quoted: it may be a secret.
					return nil, fmt.Errorf("the string is not an integer")
				}
				return n, nil
			case float64:
				return int64(v), nil
			}
			return asInt("the argument", a[0])
		}},
		"float": {1, 1, strict, func(_ Context, a []any) (any, error) {
			if s, ok := a[0].(string); ok {
				f, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return nil, fmt.Errorf("the string is not a number")
				}
				return f, nil
			}
			if n, ok := AsInt(a[0]); ok {
				return float64(n), nil
			}
			if f, ok := a[0].(float64); ok {
				return f, nil
			}
			return nil, typeErr("the argument", "a number or string", a[0])
		}},
		"add": {2, 2, strict, arith(func(x, y int64) (int64, error) { return x + y, nil })},
		"sub": {2, 2, strict, arith(func(x, y int64) (int64, error) { return x - y, nil })},
		"mul": {2, 2, strict, arith(func(x, y int64) (int64, error) { return x * y, nil })},
		"div": {2, 2, strict, arith(func(x, y int64) (int64, error) {
			if y == 0 {
				return 0, runtimeErr("division by zero")
			}
			return x / y, nil
		})},
		"mod": {2, 2, strict, arith(func(x, y int64) (int64, error) {
			if y == 0 {
				return 0, runtimeErr("division by zero")
			}
			return x % y, nil
		})},
		"min":   {1, -1, strict, func(_ Context, a []any) (any, error) { return extreme(a, -1) }},
		"max":   {1, -1, strict, func(_ Context, a []any) (any, error) { return extreme(a, 1) }},
		"range": {2, 2, strict, rangeFunc},

		// Strings.
		"string":       {1, 1, strict, func(_ Context, a []any) (any, error) { return ToString(a[0]) }},
		"concat":       {0, -1, shallow, concat},
		"format":       {1, -1, strict, format},
		"tolower":      {1, 1, strict, stringFn(strings.ToLower)},
		"toupper":      {1, 1, strict, stringFn(strings.ToUpper)},
		"trim":         {1, 1, strict, stringFn(strings.TrimSpace)},
		"base64":       {1, 1, strict, stringFn(func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) })},
		"uricomponent": {1, 1, strict, stringFn(func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") })},
		"base64tostring": {1, 1, strict, func(_ Context, a []any) (any, error) {
			s, err := asString("the argument", a[0])
			if err != nil {
				return nil, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			return string(b), err
		}},
		"base64tojson": {1, 1, strict, func(_ Context, a []any) (any, error) {
			s, err := asString("the argument", a[0])
			if err != nil {
				return nil, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, err
			}
			return ParseJSON(string(b))
		}},
		"uricomponenttostring": {1, 1, strict, func(_ Context, a []any) (any, error) {
			s, err := asString("the argument", a[0])
			if err != nil {
				return nil, err
			}
			return url.PathUnescape(s)
		}},
		"uri": {2, 2, strict, func(_ Context, a []any) (any, error) {
			base, err := asString("the base URI", a[0])
			if err != nil {
				return nil, err
			}
			rel, err := asString("the relative URI", a[1])
			if err != nil {
				return nil, err
			}
			b, err := url.Parse(base)
			if err != nil {
				return nil, err
			}
			r, err := url.Parse(rel)
			if err != nil {
				return nil, err
			}
			return b.ResolveReference(r).String(), nil
		}},
		"startswith": {2, 2, strict, stringPred(func(s, t string) bool { return strings.HasPrefix(strings.ToLower(s), strings.ToLower(t)) })},
		"endswith":   {2, 2, strict, stringPred(func(s, t string) bool { return strings.HasSuffix(strings.ToLower(s), strings.ToLower(t)) })},
		"replace": {3, 3, strict, func(_ Context, a []any) (any, error) {
			s, err1 := asString("the string", a[0])
			old, err2 := asString("the old string", a[1])
			repl, err3 := asString("the new string", a[2])
			if err := firstErr(err1, err2, err3); err != nil {
				return nil, err
			}
			return strings.ReplaceAll(s, old, repl), nil
		}},
		"split":     {2, 2, strict, split},
		"substring": {1, 3, strict, substring},
		"padleft": {2, 3, strict, func(_ Context, a []any) (any, error) {
			s, err := ToString(a[0])
			if err != nil {
				return nil, err
			}
			n, err := asInt("the total length", a[1])
			if err != nil {
				return nil, err
			}
			if n > maxPad {
				return nil, fmt.Errorf("total length %d is over %d", n, maxPad)
			}
			pad := " "
			if len(a) == 3 {
				if pad, err = asString("the padding character", a[2]); err != nil {
					return nil, err
				}
			}
			str := s.(string)
			for int64(len([]rune(str))) < n && pad != "" {
				str = pad[:1] + str
			}
			return str, nil
		}},
		"indexof":     {2, 2, strict, func(_ Context, a []any) (any, error) { return indexOf(a, false) }},
		"lastindexof": {2, 2, strict, func(_ Context, a []any) (any, error) { return indexOf(a, true) }},
		"uniquestring": {1, -1, strict, func(_ Context, a []any) (any, error) {
			s, err := stringArgs(a)
			if err != nil {
				return nil, err
			}
			return UniqueString(s...), nil
		}},
		"guid": {1, -1, strict, func(_ Context, a []any) (any, error) {
			s, err := stringArgs(a)
			if err != nil {
				return nil, err
			}
			return GUID(s...), nil
		}},
		"json": {1, 1, strict, func(_ Context, a []any) (any, error) {
			s, err := asString("the argument", a[0])
			if err != nil {
				return nil, err
			}
			return ParseJSON(s)
		}},
		"datauri": {1, 1, strict, func(_ Context, a []any) (any, error) {
			s, err := ToString(a[0])
			if err != nil {
				return nil, err
			}
			return "data:text/plain;charset=utf8;base64," + base64.StdEncoding.EncodeToString([]byte(s.(string))), nil
		}},
		"datauritostring": {1, 1, strict, func(_ Context, a []any) (any, error) {
			s, err := asString("the argument", a[0])
			if err != nil {
				return nil, err
			}
			_, data, ok := strings.Cut(s, ";base64,")
			if !ok {
				return nil, fmt.Errorf("not a base64 data URI")
			}
			b, err := base64.StdEncoding.DecodeString(data)
			return string(b), err
		}},

		// Arrays and objects.
		"array": {1, 1, lenient, func(_ Context, a []any) (any, error) {
			if arr, ok := a[0].([]any); ok {
				return arr, nil
			}
			return []any{a[0]}, nil
		}},
		"createarray":  {0, -1, lenient, func(_ Context, a []any) (any, error) { return append([]any{}, a...), nil }},
		"createobject": {0, -1, lenient, createObject},
		"contains":     {2, 2, shallow, contains},
		"empty":        {1, 1, shallow, empty},
		"length":       {1, 1, shallow, length},
		"first":        {1, 1, shallow, func(_ Context, a []any) (any, error) { return end(a[0], true) }},
		"last":         {1, 1, shallow, func(_ Context, a []any) (any, error) { return end(a[0], false) }},
		"skip":         {2, 2, shallow, func(_ Context, a []any) (any, error) { return slice(a, true) }},
		"take":         {2, 2, shallow, func(_ Context, a []any) (any, error) { return slice(a, false) }},
		"union":        {1, -1, shallow, union},
		"intersection": {1, -1, strict, intersection},
		"join": {2, 2, strict, func(_ Context, a []any) (any, error) {
			arr, err := asArray("the first argument", a[0])
			if err != nil {
				return nil, err
			}
			sep, err := asString("the delimiter", a[1])
			if err != nil {
				return nil, err
			}
			parts := make([]string, len(arr))
			for i, e := range arr {
				s, err := ToString(e)
				if err != nil {
					return nil, err
				}
				parts[i] = s.(string)
			}
			return strings.Join(parts, sep), nil
		}},
		"flatten": {1, 1, shallow, func(_ Context, a []any) (any, error) {
			arr, err := asArray("the argument", a[0])
			if err != nil {
				return nil, err
			}
			var out []any
			for _, e := range arr {
				inner, err := asArray("each element", e)
				if err != nil {
					return nil, err
				}
				out = append(out, inner...)
			}
			return nonNil(out), nil
		}},
		"objectkeys": {1, 1, shallow, func(_ Context, a []any) (any, error) {
			m, err := asObject("the argument", a[0])
			if err != nil {
				return nil, err
			}
			out := make([]any, 0, len(m))
			for _, k := range sortedKeys(m) {
				out = append(out, k)
			}
			return out, nil
		}},
		"items": {1, 1, shallow, func(_ Context, a []any) (any, error) {
			m, err := asObject("the argument", a[0])
			if err != nil {
				return nil, err
			}
			out := make([]any, 0, len(m))
			for _, k := range sortedKeys(m) {
				out = append(out, map[string]any{"key": k, "value": m[k]})
			}
			return out, nil
		}},
		"shallowmerge": {1, 1, shallow, func(_ Context, a []any) (any, error) {
			arr, err := asArray("the argument", a[0])
			if err != nil {
				return nil, err
			}
			out := map[string]any{}
			for _, e := range arr {
				m, err := asObject("each element", e)
				if err != nil {
					return nil, err
				}
				for k, v := range m {
					out[k] = v
				}
			}
			return out, nil
		}},
		"tryget": {2, -1, shallow, func(_ Context, a []any) (any, error) {
			v := a[0]
			for _, key := range a[1:] {
				switch x := v.(type) {
				case *resource.Unknown:
					return x, nil
				case map[string]any:
					k, ok := key.(string)
					if !ok {
						return nil, nil
					}
					if v, ok = resource.Lookup(x, k); !ok {
						return nil, nil
					}
				case []any:
					i, ok := AsInt(key)
					if !ok || i < 0 || i >= int64(len(x)) {
						return nil, nil
					}
					v = x[i]
				default:
					return nil, nil
				}
			}
			return v, nil
		}},
		"indexfromend": {2, 2, shallow, func(_ Context, a []any) (any, error) {
			arr, err := asArray("the first argument", a[0])
			if err != nil {
				return nil, err
			}
			i, err := asInt("the index", a[1])
			if err != nil {
				return nil, err
			}
			if i < 1 || i > int64(len(arr)) {
				return nil, runtimeErr("index %d from the end is out of range: the array has %d elements", i, len(arr))
			}
			return arr[int64(len(arr))-i], nil
		}},
		"tryindexfromend": {2, 2, shallow, func(_ Context, a []any) (any, error) {
			arr, err := asArray("the first argument", a[0])
			if err != nil {
				return nil, err
			}
			i, err := asInt("the index", a[1])
			if err != nil {
				return nil, err
			}
			if i < 1 || i > int64(len(arr)) {
				return nil, nil
			}
			return arr[int64(len(arr))-i], nil
		}},

		// Lambdas.
		"map":       {2, 2, shallow, mapFunc},
		"filter":    {2, 2, shallow, filter},
		"reduce":    {3, 3, shallow, reduce},
		"sort":      {2, 2, strict, sortFunc},
		"toobject":  {2, 3, shallow, toObject},
		"groupby":   {2, 3, strict, groupBy},
		"mapvalues": {2, 2, shallow, mapValues},

		// CIDR.
		"parsecidr":  {1, 1, strict, parseCidr},
		"cidrsubnet": {3, 3, strict, cidrSubnet},
		"cidrhost":   {2, 2, strict, cidrHost},
	} {
		library[name] = fn
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func nonNil(a []any) []any {
	if a == nil {
		return []any{}
	}
	return a
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := strings.ToLower(keys[i]), strings.ToLower(keys[j])
		if a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	return keys
}

func copyIndex(ctx Context, a []any) (any, error) {
	loop, offset := "", int64(0)
	for i, arg := range a {
		switch v := arg.(type) {
		case string:
			if i != 0 {
				return nil, typeErr("the offset", "an integer", v)
			}
			loop = v
		default:
			n, ok := AsInt(v)
			if !ok {
				return nil, typeErr("the argument", "a loop name or an offset", v)
			}
			offset = n
		}
	}
	i, err := ctx.CopyIndex(loop)
	if err != nil {
		return nil, err
	}
	n, ok := AsInt(i)
	if !ok {
		return i, nil
	}
	return n + offset, nil
}

func scopeID(s Scope, group bool) any {
	if s.SubscriptionID == "" {
		return unknown("%s", s.Reason(FieldSubscription))
	}
	id := "/subscriptions/" + s.SubscriptionID
	if group {
		if s.ResourceGroup == "" {
			return unknown("%s", s.Reason(FieldResourceGroup))
		}
		id += "/resourceGroups/" + s.ResourceGroup
	}
	return id
}

// deploymentLocation is deployment().location: the location a subscription, management group
// or tenant deployment is made in. A resource group deployment has none.
func deploymentLocation(s Scope) any {
	if s.Level == ResourceGroupLevel {
		return unknown("a resource group deployment has no location of its own; resourceGroup().location is the group's")
	}
	return s.value(FieldLocation, s.Location)
}

func stringArgs(a []any) ([]string, error) {
	out := make([]string, len(a))
	for i, v := range a {
		s, ok := v.(string)
		if !ok {
			return nil, typeErr(fmt.Sprintf("argument %d", i+1), "a string", v)
		}
		out[i] = s
	}
	return out, nil
}

// resourceID builds a resource ID from [subscriptionId,] [resourceGroupName,] type, names... The
// type is the first argument holding a '/'.
func resourceID(ctx Context, a []any, scope string) (any, error) {
	s, err := stringArgs(a)
	if err != nil {
		return nil, err
	}
	typeAt := -1
	for i, v := range s {
		if strings.Contains(v, "/") {
			typeAt = i
			break
		}
	}
	if typeAt < 0 {
		return nil, fmt.Errorf("no argument is a resource type (Namespace/type)")
	}
	prefix, names := s[:typeAt], s[typeAt+1:]
	segments := strings.Split(s[typeAt], "/")
	if len(names) != len(segments)-1 {
		return nil, fmt.Errorf("resource type %q needs %d names, got %d", s[typeAt], len(segments)-1, len(names))
	}
	id := "/providers/" + segments[0]
	for i, n := range names {
		id += "/" + segments[i+1] + "/" + n
	}
	sc := ctx.Scope()
	switch scope {
	case "tenant":
		return id, nil
	case "managementGroup":
		mg := sc.ManagementGroup
		if len(prefix) > 0 {
			mg = prefix[0]
		}
		if mg == "" {
			return unknown("%s", sc.Reason(FieldManagementGroup)), nil
		}
		return "/providers/Microsoft.Management/managementGroups/" + mg + id, nil
	case "subscription":
		sub := sc.SubscriptionID
		if len(prefix) > 0 {
			sub = prefix[0]
		}
		if sub == "" {
			return unknown("%s", sc.Reason(FieldSubscription)), nil
		}
		return "/subscriptions/" + sub + id, nil
	}
	// Resource Manager's resourceId names no resource group where the deployment has none: at
	// subscription scope an optional subscription comes first, at management group or tenant scope
	// nothing does.
	switch {
	case sc.Level == SubscriptionLevel && len(prefix) < 2:
		sub := sc.SubscriptionID
		if len(prefix) == 1 {
			sub = prefix[0]
		}
		if sub == "" {
			return unknown("%s", sc.Reason(FieldSubscription)), nil
		}
		return "/subscriptions/" + sub + id, nil
	case (sc.Level == ManagementGroupLevel || sc.Level == TenantLevel) && len(prefix) == 0:
		return id, nil
	}
	sub, group := sc.SubscriptionID, sc.ResourceGroup
	switch len(prefix) {
	case 1:
		group = prefix[0]
	case 2:
		sub, group = prefix[0], prefix[1]
	}
	if sub == "" {
		return unknown("%s", sc.Reason(FieldSubscription)), nil
	}
	if group == "" {
		return unknown("%s", sc.Reason(FieldResourceGroup)), nil
	}
	return "/subscriptions/" + sub + "/resourceGroups/" + group + id, nil
}

func extensionResourceID(_ Context, a []any) (any, error) {
	s, err := stringArgs(a)
	if err != nil {
		return nil, err
	}
	segments := strings.Split(s[1], "/")
	names := s[2:]
	if len(names) != len(segments)-1 {
		return nil, fmt.Errorf("resource type %q needs %d names, got %d", s[1], len(segments)-1, len(names))
	}
	id := strings.TrimSuffix(s[0], "/") + "/providers/" + segments[0]
	for i, n := range names {
		id += "/" + segments[i+1] + "/" + n
	}
	return id, nil
}

// logic is and (stopOn false) / or (stopOn true): a known deciding value answers even when
// other arguments are unknown.
func logic(a []any, stopOn bool) (any, error) {
	var firstUnknown *resource.Unknown
	for i, v := range a {
		if u, ok := v.(*resource.Unknown); ok {
			if firstUnknown == nil {
				firstUnknown = u
			}
			continue
		}
		b, err := asBool(fmt.Sprintf("argument %d", i+1), v)
		if err != nil {
			return nil, err
		}
		if b == stopOn {
			return stopOn, nil
		}
	}
	if firstUnknown != nil {
		return &resource.Unknown{Reason: firstUnknown.Reason}, nil
	}
	return !stopOn, nil
}

func ifFunc(_ Context, a []any) (any, error) {
	if u, ok := a[0].(*resource.Unknown); ok {
		if Equal(a[1], a[2]) && FindUnknown(a[1]) == nil {
			return a[1], nil
		}
		return &resource.Unknown{Reason: u.Reason}, nil
	}
	if u := FindUnknown(a[0]); u != nil {
		return &resource.Unknown{Reason: u.Reason}, nil
	}
	cond, err := asBool("the condition", a[0])
	if err != nil {
		return nil, err
	}
	if cond {
		return a[1], nil
	}
	return a[2], nil
}

func coalesce(_ Context, a []any) (any, error) {
	for _, v := range a {
		if u, ok := v.(*resource.Unknown); ok {
			return &resource.Unknown{Reason: u.Reason}, nil
		}
		if v != nil {
			return v, nil
		}
	}
	return nil, nil
}

// Equal compares template values deeply: strings with case, numbers by value, objects by
// property names without regard to case.
func Equal(x, y any) bool {
	if xi, ok := AsInt(x); ok {
		if yi, ok := AsInt(y); ok {
			return xi == yi
		}
	}
	switch a := x.(type) {
	case nil:
		return y == nil
	case bool:
		b, ok := y.(bool)
		return ok && a == b
	case float64:
		b, ok := y.(float64)
		return ok && a == b
	case string:
		b, ok := y.(string)
		return ok && a == b
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !Equal(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := resource.Lookup(b, k)
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

func compare(a []any, ok func(int) bool) (any, error) {
	if x, isInt := AsInt(a[0]); isInt {
		y, isInt := AsInt(a[1])
		if !isInt {
			return nil, typeErr("the second argument", "an integer", a[1])
		}
		c := 0
		if x < y {
			c = -1
		} else if x > y {
			c = 1
		}
		return ok(c), nil
	}
	x, err := asString("the first argument", a[0])
	if err != nil {
		return nil, typeErr("the first argument", "an integer or a string", a[0])
	}
	y, err := asString("the second argument", a[1])
	if err != nil {
		return nil, err
	}
	return ok(strings.Compare(x, y)), nil
}

func arith(op func(x, y int64) (int64, error)) func(Context, []any) (any, error) {
	return func(_ Context, a []any) (any, error) {
		x, err := asInt("the first operand", a[0])
		if err != nil {
			return nil, err
		}
		y, err := asInt("the second operand", a[1])
		if err != nil {
			return nil, err
		}
		return op(x, y)
	}
}

// extreme is min (sign -1) and max (sign 1) of an array or a comma-separated list of integers,
// which may have a single element: min(5) is 5.
func extreme(a []any, sign int) (any, error) {
	if len(a) == 1 {
		switch v := a[0].(type) {
		case []any:
			a = v
		default:
			if _, ok := AsInt(v); !ok {
				return nil, typeErr("the argument", "an integer or an array of integers", v)
			}
		}
	}
	if len(a) == 0 {
		return nil, fmt.Errorf("no values")
	}
	best, err := asInt("each value", a[0])
	if err != nil {
		return nil, err
	}
	for _, v := range a[1:] {
		n, err := asInt("each value", v)
		if err != nil {
			return nil, err
		}
		if (sign > 0 && n > best) || (sign < 0 && n < best) {
			best = n
		}
	}
	return best, nil
}

// maxPad bounds padLeft() and format widths, so a template cannot make lensix build huge strings.
const maxPad = 1 << 16

// maxRange bounds range() so a template cannot make lensix allocate without limit; ARM's own
// limit is 10000.
const maxRange = 10000

func rangeFunc(_ Context, a []any) (any, error) {
	start, err := asInt("the start index", a[0])
	if err != nil {
		return nil, err
	}
	count, err := asInt("the count", a[1])
	if err != nil {
		return nil, err
	}
	if count < 0 || count > maxRange {
		return nil, fmt.Errorf("count %d is outside 0..%d", count, maxRange)
	}
	out := make([]any, count)
	for i := range out {
		out[i] = start + int64(i)
	}
	return out, nil
}

// ToString converts a value as string() does: strings unchanged, other values as compact JSON,
// booleans as True and False (the .NET spelling ARM uses).
func ToString(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		if x {
			return "True", nil
		}
		return "False", nil
	case *resource.Unknown:
		return &resource.Unknown{Reason: x.Reason}, nil
	case *Lambda:
		return nil, fmt.Errorf("a lambda cannot be converted to a string")
	}
	if u := FindUnknown(v); u != nil {
		return &resource.Unknown{Reason: u.Reason}, nil
	}
	if n, ok := AsInt(v); ok {
		if _, isFloat := v.(float64); !isFloat {
			return strconv.FormatInt(n, 10), nil
		}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func concat(_ Context, a []any) (any, error) {
	if len(a) > 0 {
		if _, ok := a[0].([]any); ok {
			var out []any
			for i, v := range a {
				if u, ok := v.(*resource.Unknown); ok {
					return &resource.Unknown{Reason: u.Reason}, nil
				}
				arr, err := asArray(fmt.Sprintf("argument %d", i+1), v)
				if err != nil {
					return nil, err
				}
				out = append(out, arr...)
			}
			return nonNil(out), nil
		}
	}
	var b strings.Builder
	for _, v := range a {
		if u := FindUnknown(v); u != nil {
			return &resource.Unknown{Reason: u.Reason}, nil
		}
		s, err := ToString(v)
		if err != nil {
			return nil, err
		}
		b.WriteString(s.(string))
	}
	return b.String(), nil
}

func stringFn(f func(string) string) func(Context, []any) (any, error) {
	return func(_ Context, a []any) (any, error) {
		s, err := asString("the argument", a[0])
		if err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

func stringPred(f func(s, t string) bool) func(Context, []any) (any, error) {
	return func(_ Context, a []any) (any, error) {
		s, err := asString("the first argument", a[0])
		if err != nil {
			return nil, err
		}
		t, err := asString("the second argument", a[1])
		if err != nil {
			return nil, err
		}
		return f(s, t), nil
	}
}

func split(_ Context, a []any) (any, error) {
	s, err := asString("the string", a[0])
	if err != nil {
		return nil, err
	}
	var seps []string
	switch d := a[1].(type) {
	case string:
		seps = []string{d}
	case []any:
		if seps, err = stringArgs(d); err != nil {
			return nil, err
		}
	default:
		return nil, typeErr("the delimiter", "a string or an array of strings", d)
	}
	parts := []string{s}
	for _, sep := range seps {
		if sep == "" {
			continue
		}
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func substring(_ Context, a []any) (any, error) {
	s, err := asString("the string", a[0])
	if err != nil {
		return nil, err
	}
	start := int64(0)
	if len(a) > 1 {
		if start, err = asInt("the start index", a[1]); err != nil {
			return nil, err
		}
	}
	if start < 0 || start > int64(len(s)) {
		return nil, runtimeErr("start index %d is outside the string of length %d", start, len(s))
	}
	length := int64(len(s)) - start
	if len(a) > 2 {
		if length, err = asInt("the length", a[2]); err != nil {
			return nil, err
		}
	}
	if length < 0 || start+length > int64(len(s)) {
		return nil, runtimeErr("start %d plus length %d is beyond the string of length %d", start, length, len(s))
	}
	return s[start : start+length], nil
}

func indexOf(a []any, last bool) (any, error) {
	if arr, ok := a[0].([]any); ok {
		found := int64(-1)
		for i, e := range arr {
			if Equal(e, a[1]) {
				found = int64(i)
				if !last {
					break
				}
			}
		}
		return found, nil
	}
	s, err := asString("the first argument", a[0])
	if err != nil {
		return nil, err
	}
	t, err := asString("the second argument", a[1])
	if err != nil {
		return nil, err
	}
	s, t = strings.ToLower(s), strings.ToLower(t)
	if last {
		return int64(strings.LastIndex(s, t)), nil
	}
	return int64(strings.Index(s, t)), nil
}

func createObject(_ Context, a []any) (any, error) {
	if len(a)%2 != 0 {
		return nil, fmt.Errorf("takes key and value pairs, got an odd number of arguments")
	}
	out := make(map[string]any, len(a)/2)
	for i := 0; i < len(a); i += 2 {
		if u, ok := a[i].(*resource.Unknown); ok {
			return &resource.Unknown{Reason: u.Reason}, nil
		}
		k, err := asString(fmt.Sprintf("key %d", i/2+1), a[i])
		if err != nil {
			return nil, err
		}
		out[k] = a[i+1]
	}
	return out, nil
}

// contains answers from what is known where it can: an array holding unknown elements contains
// a value that equals one of its known elements.
func contains(_ Context, a []any) (any, error) {
	switch c := a[0].(type) {
	case string:
		s, err := ToString(a[1])
		if err != nil {
			return nil, err
		}
		if u, ok := s.(*resource.Unknown); ok {
			return u, nil
		}
		return strings.Contains(c, s.(string)), nil
	case []any:
		for _, e := range c {
			if Equal(e, a[1]) {
				return true, nil
			}
		}
		if u := FindUnknown(c); u != nil {
			return &resource.Unknown{Reason: u.Reason}, nil
		}
		if u := FindUnknown(a[1]); u != nil {
			return &resource.Unknown{Reason: u.Reason}, nil
		}
		return false, nil
	case map[string]any:
		k, err := asString("the key", a[1])
		if err != nil {
			return nil, err
		}
		_, ok := resource.Lookup(c, k)
		return ok, nil
	}
	return nil, typeErr("the container", "a string, array or object", a[0])
}

func empty(_ Context, a []any) (any, error) {
	switch v := a[0].(type) {
	case nil:
		return true, nil
	case *resource.Unknown:
		return &resource.Unknown{Reason: v.Reason}, nil
	case string:
		return v == "", nil
	case []any:
		return len(v) == 0, nil
	case map[string]any:
		return len(v) == 0, nil
	case bool, int64, int, float64:
		// A scalar is never empty: Azure/PSRule.Rules.Azure's reimplementation answers false too.
		return false, nil
	}
	return nil, typeErr("the argument", "a string, array, object or null", a[0])
}

func length(_ Context, a []any) (any, error) {
	switch v := a[0].(type) {
	case *resource.Unknown:
		return &resource.Unknown{Reason: v.Reason}, nil
	case string:
		return int64(len([]rune(v))), nil
	case []any:
		return int64(len(v)), nil
	case map[string]any:
		return int64(len(v)), nil
	}
	return nil, typeErr("the argument", "a string, array or object", a[0])
}

func end(v any, first bool) (any, error) {
	switch x := v.(type) {
	case *resource.Unknown:
		return &resource.Unknown{Reason: x.Reason}, nil
	case string:
		if x == "" {
			return "", nil
		}
		r := []rune(x)
		if first {
			return string(r[0]), nil
		}
		return string(r[len(r)-1]), nil
	case []any:
		if len(x) == 0 {
			return nil, nil
		}
		if first {
			return x[0], nil
		}
		return x[len(x)-1], nil
	}
	return nil, typeErr("the argument", "a string or array", v)
}

func slice(a []any, skip bool) (any, error) {
	if u, ok := a[0].(*resource.Unknown); ok {
		return &resource.Unknown{Reason: u.Reason}, nil
	}
	if u, ok := a[1].(*resource.Unknown); ok {
		return &resource.Unknown{Reason: u.Reason}, nil
	}
	n, err := asInt("the count", a[1])
	if err != nil {
		return nil, err
	}
	cut := func(length int) (int, int) {
		k := int(max(0, min(n, int64(length))))
		if skip {
			return k, length
		}
		return 0, k
	}
	switch x := a[0].(type) {
	case string:
		i, j := cut(len(x))
		return x[i:j], nil
	case []any:
		i, j := cut(len(x))
		return append([]any{}, x[i:j]...), nil
	}
	return nil, typeErr("the first argument", "a string or array", a[0])
}

func union(_ Context, a []any) (any, error) {
	for _, v := range a {
		if u, ok := v.(*resource.Unknown); ok {
			return &resource.Unknown{Reason: u.Reason}, nil
		}
	}
	if _, ok := a[0].([]any); ok {
		var out []any
		for i, v := range a {
			arr, err := asArray(fmt.Sprintf("argument %d", i+1), v)
			if err != nil {
				return nil, err
			}
		next:
			for _, e := range arr {
				for _, have := range out {
					if Equal(have, e) {
						continue next
					}
				}
				out = append(out, e)
			}
		}
		return nonNil(out), nil
	}
	out := map[string]any{}
	for i, v := range a {
		if v == nil {
			continue
		}
		m, err := asObject(fmt.Sprintf("argument %d", i+1), v)
		if err != nil {
			return nil, err
		}
		mergeInto(out, m)
	}
	return out, nil
}

// mergeInto merges src into dst as union() does: nested objects merge, other values replace.
func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		key := k
		for existing := range dst {
			if strings.EqualFold(existing, k) {
				key = existing
				break
			}
		}
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[key].(map[string]any); ok {
				merged := map[string]any{}
				mergeInto(merged, dm)
				mergeInto(merged, sm)
				dst[key] = merged
				continue
			}
		}
		if key != k {
			delete(dst, key)
		}
		dst[k] = v
	}
}

func intersection(_ Context, a []any) (any, error) {
	if first, ok := a[0].([]any); ok {
		var out []any
	next:
		for _, e := range first {
			for _, other := range a[1:] {
				arr, err := asArray("each argument", other)
				if err != nil {
					return nil, err
				}
				found := false
				for _, o := range arr {
					if Equal(o, e) {
						found = true
						break
					}
				}
				if !found {
					continue next
				}
			}
			out = append(out, e)
		}
		return nonNil(out), nil
	}
	first, err := asObject("the first argument", a[0])
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range first {
		keep := true
		for _, other := range a[1:] {
			m, err := asObject("each argument", other)
			if err != nil {
				return nil, err
			}
			w, ok := resource.Lookup(m, k)
			if !ok || !Equal(v, w) {
				keep = false
				break
			}
		}
		if keep {
			out[k] = v
		}
	}
	return out, nil
}

// ParseJSON reads the argument of json(): any JSON value, comments and trailing commas
// allowed as in templates.
func ParseJSON(s string) (any, error) {
	n, err := jsonpos.Parse([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	return n.Value(), nil
}

// Like matches s against a pattern where * stands for any run of characters, without regard to
// letter case, as like() and Azure Policy's like condition do.
func Like(s, pattern string) bool {
	s, pattern = strings.ToLower(s), strings.ToLower(pattern)
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last) && len(s) >= len(last)
}

func mapFunc(_ Context, a []any) (any, error) {
	arr, lambda, u, err := lambdaArgs(a)
	if u != nil || err != nil {
		return u, err
	}
	out := make([]any, len(arr))
	for i, e := range arr {
		if out[i], err = callLambda(lambda, e, int64(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func filter(_ Context, a []any) (any, error) {
	arr, lambda, u, err := lambdaArgs(a)
	if u != nil || err != nil {
		return u, err
	}
	out := []any{}
	for i, e := range arr {
		keep, err := callLambda(lambda, e, int64(i))
		if err != nil {
			return nil, err
		}
		if ku, ok := keep.(*resource.Unknown); ok {
			return &resource.Unknown{Reason: ku.Reason}, nil
		}
		b, err := asBool("the filter lambda's result", keep)
		if err != nil {
			return nil, err
		}
		if b {
			out = append(out, e)
		}
	}
	return out, nil
}

func reduce(_ Context, a []any) (any, error) {
	arr, lambda, u, err := lambdaArgs([]any{a[0], a[2]})
	if u != nil || err != nil {
		return u, err
	}
	acc := a[1]
	for i, e := range arr {
		if acc, err = callLambda(lambda, acc, e, int64(i)); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func sortFunc(_ Context, a []any) (any, error) {
	arr, lambda, u, err := lambdaArgs(a)
	if u != nil || err != nil {
		return u, err
	}
	out := append([]any{}, arr...)
	var sortErr error
	sort.SliceStable(out, func(i, j int) bool {
		less, err := callLambda(lambda, out[i], out[j])
		if err != nil {
			sortErr = err
			return false
		}
		b, _ := less.(bool)
		return b
	})
	return out, sortErr
}

func toObject(_ Context, a []any) (any, error) {
	return keyedBy(a, func(out map[string]any, key string, v any) { out[key] = v })
}

func groupBy(_ Context, a []any) (any, error) {
	return keyedBy(a, func(out map[string]any, key string, v any) {
		group, _ := out[key].([]any)
		out[key] = append(group, v)
	})
}

// keyedBy runs toObject and groupBy: each element of the array a[0] gets a key from the lambda
// a[1] and a value from the optional lambda a[2] (the element itself without it), and put files
// them in the object built. An unknown key makes the whole object unknown.
func keyedBy(a []any, put func(out map[string]any, key string, v any)) (any, error) {
	arr, keyLambda, u, err := lambdaArgs(a[:2])
	if u != nil || err != nil {
		return u, err
	}
	var valueLambda *Lambda
	if len(a) == 3 {
		if valueLambda, err = asLambda("the value lambda", a[2]); err != nil {
			return nil, err
		}
	}
	out := map[string]any{}
	for _, e := range arr {
		k, err := callLambda(keyLambda, e)
		if err != nil {
			return nil, err
		}
		if ku, ok := k.(*resource.Unknown); ok {
			return &resource.Unknown{Reason: ku.Reason}, nil
		}
		key, err := asString("the key lambda's result", k)
		if err != nil {
			return nil, err
		}
		v := e
		if valueLambda != nil {
			if v, err = callLambda(valueLambda, e); err != nil {
				return nil, err
			}
		}
		put(out, key, v)
	}
	return out, nil
}

func mapValues(_ Context, a []any) (any, error) {
	if u, ok := a[0].(*resource.Unknown); ok {
		return &resource.Unknown{Reason: u.Reason}, nil
	}
	m, err := asObject("the first argument", a[0])
	if err != nil {
		return nil, err
	}
	lambda, err := asLambda("the second argument", a[1])
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if out[k], err = callLambda(lambda, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lambdaArgs reads (array, lambda); an unknown array makes the whole result unknown.
func lambdaArgs(a []any) ([]any, *Lambda, *resource.Unknown, error) {
	if u, ok := a[0].(*resource.Unknown); ok {
		return nil, nil, &resource.Unknown{Reason: u.Reason}, nil
	}
	arr, err := asArray("the first argument", a[0])
	if err != nil {
		return nil, nil, nil, err
	}
	lambda, err := asLambda("the last argument", a[len(a)-1])
	if err != nil {
		return nil, nil, nil, err
	}
	return arr, lambda, nil, nil
}

// callLambda passes as many of args as the lambda declares parameters (the index is optional).
func callLambda(l *Lambda, args ...any) (any, error) {
	if len(args) > len(l.Params) {
		args = args[:len(l.Params)]
	}
	if len(args) < len(l.Params) {
		return nil, fmt.Errorf("the lambda takes %d parameters, but %d are passed", len(l.Params), len(args))
	}
	return l.Call(args)
}

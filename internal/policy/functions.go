package policy

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lensix/lensix/internal/resource"
)

// function is a template function over evaluated arguments. Arguments that are unknown never reach
// it: the evaluator returns the first unknown argument instead, except for the lazy functions.
type function struct {
	minArgs, maxArgs int // maxArgs -1: any number
	call             func(ctx *evalContext, args []any) (any, error)
}

// lazyFunctions evaluate their own arguments, so an unknown argument need not make them unknown.
var lazyFunctions = map[string]bool{"if": true, "and": true, "or": true, "coalesce": true}

// functions are the template functions Azure Policy rules use (names in lower case).
var functions map[string]function

func init() {
	// Assigned in init because field() and current() refer back to the evaluator.
	functions = map[string]function{
		"parameters":      {1, 1, fnParameters},
		"field":           {1, 1, fnField},
		"current":         {0, 1, fnCurrent},
		"concat":          {1, -1, fnConcat},
		"if":              {3, 3, nil},
		"and":             {1, -1, nil},
		"or":              {1, -1, nil},
		"coalesce":        {1, -1, nil},
		"not":             {1, 1, fnNot},
		"equals":          {2, 2, fnEquals},
		"empty":           {1, 1, fnEmpty},
		"length":          {1, 1, fnLength},
		"tolower":         {1, 1, stringFn(strings.ToLower)},
		"toupper":         {1, 1, stringFn(strings.ToUpper)},
		"trim":            {1, 1, stringFn(strings.TrimSpace)},
		"split":           {2, 2, fnSplit},
		"contains":        {2, 2, fnContains},
		"string":          {1, 1, func(_ *evalContext, a []any) (any, error) { return stringForm(a[0]), nil }},
		"int":             {1, 1, fnInt},
		"bool":            {1, 1, fnBool},
		"first":           {1, 1, fnFirst},
		"last":            {1, 1, fnLast},
		"replace":         {3, 3, fnReplace},
		"substring":       {2, 3, fnSubstring},
		"indexof":         {2, 2, fnIndexOf},
		"startswith":      {2, 2, stringPredicate(func(s, p string) bool { return strings.HasPrefix(strings.ToLower(s), strings.ToLower(p)) })},
		"endswith":        {2, 2, stringPredicate(func(s, p string) bool { return strings.HasSuffix(strings.ToLower(s), strings.ToLower(p)) })},
		"padleft":         {2, 3, fnPadLeft},
		"less":            {2, 2, orderFn(func(c int) bool { return c < 0 })},
		"lessorequals":    {2, 2, orderFn(func(c int) bool { return c <= 0 })},
		"greater":         {2, 2, orderFn(func(c int) bool { return c > 0 })},
		"greaterorequals": {2, 2, orderFn(func(c int) bool { return c >= 0 })},
		"createarray":     {0, -1, func(_ *evalContext, a []any) (any, error) { return append([]any{}, a...), nil }},
		"array":           {1, 1, fnArray},
		"union":           {1, -1, fnUnion},
		"intersection":    {1, -1, fnIntersection},
		"base64": {1, 1, func(_ *evalContext, a []any) (any, error) {
			return base64.StdEncoding.EncodeToString([]byte(stringForm(a[0]))), nil
		}},
		"true":            {0, 0, func(*evalContext, []any) (any, error) { return true, nil }},
		"false":           {0, 0, func(*evalContext, []any) (any, error) { return false, nil }},
		"null":            {0, 0, func(*evalContext, []any) (any, error) { return nil, nil }},
		"utcnow":          {0, 1, fnUtcNow},
		"adddays":         {2, 3, fnAddDays},
		"iprangecontains": {2, 2, fnIPRangeContains},
		"resourcegroup":   {0, 0, fnResourceGroup},
		"subscription":    {0, 0, fnSubscription},
		"requestcontext":  {0, 0, fnRequestContext},
		"uniquestring":    {1, -1, fnUniqueString},
		"add":             {2, 2, arithmetic(func(a, b float64) (float64, error) { return a + b, nil })},
		"sub":             {2, 2, arithmetic(func(a, b float64) (float64, error) { return a - b, nil })},
		"mul":             {2, 2, arithmetic(func(a, b float64) (float64, error) { return a * b, nil })},
		"div":             {2, 2, arithmetic(func(a, b float64) (float64, error) { return divide(a, b, false) })},
		"mod":             {2, 2, arithmetic(func(a, b float64) (float64, error) { return divide(a, b, true) })},
		"min":             {1, -1, extreme(-1)},
		"max":             {1, -1, extreme(1)},
		"tryget":          {2, -1, fnTryGet},
		"createobject":    {0, -1, fnCreateObject},
		"skip":            {2, 2, fnSkipTake(true)},
		"take":            {2, 2, fnSkipTake(false)},
		"lastindexof":     {2, 2, fnLastIndexOf},
	}
}

// evalExpr evaluates a parsed expression.
func (ctx *evalContext) evalExpr(n exprNode) (any, error) {
	switch n := n.(type) {
	case literal:
		return n.value, nil
	case member:
		x, err := ctx.evalExpr(n.x)
		if err != nil {
			return nil, err
		}
		return property(x, n.name)
	case index:
		x, err := ctx.evalExpr(n.x)
		if err != nil {
			return nil, err
		}
		i, err := ctx.evalExpr(n.i)
		if err != nil {
			return nil, err
		}
		if u, ok := i.(*resource.Unknown); ok {
			return u, nil
		}
		if f, ok := number(i); ok {
			if u, ok := x.(*resource.Unknown); ok {
				return u, nil
			}
			arr, ok := x.([]any)
			if !ok || f < 0 || f >= float64(len(arr)) {
				return nil, fmt.Errorf("index %s is out of range of %s", formatNumber(f), describe(x))
			}
			return arr[int(f)], nil
		}
		return property(x, stringForm(i))
	case call:
		return ctx.evalCall(n)
	}
	return nil, fmt.Errorf("unsupported expression")
}

func property(x any, name string) (any, error) {
	switch x := x.(type) {
	case *resource.Unknown:
		return x, nil
	case map[string]any:
		v, found := resource.Lookup(x, name)
		if !found {
			return nil, fmt.Errorf("the object has no property %q", name)
		}
		return v, nil
	}
	return nil, fmt.Errorf("cannot read property %q of %s", name, describe(x))
}

func (ctx *evalContext) evalCall(c call) (any, error) {
	name := strings.ToLower(c.name)
	fn, ok := functions[name]
	if !ok {
		return nil, fmt.Errorf("unknown function %q", c.name)
	}
	if lazyFunctions[name] {
		return ctx.evalLazy(name, c.args)
	}
	args := make([]any, len(c.args))
	for i, a := range c.args {
		v, err := ctx.evalExpr(a)
		if err != nil {
			return nil, err
		}
		if u, ok := v.(*resource.Unknown); ok {
			return u, nil
		}
		args[i] = v
	}
	v, err := fn.call(ctx, args)
	if err != nil {
		return nil, fmt.Errorf("%s(): %w", c.name, err)
	}
	return v, nil
}

func (ctx *evalContext) evalLazy(name string, args []exprNode) (any, error) {
	switch name {
	case "if":
		cond, err := ctx.evalExpr(args[0])
		if err != nil {
			return nil, err
		}
		if _, ok := cond.(*resource.Unknown); ok {
			a, errA := ctx.evalExpr(args[1])
			b, errB := ctx.evalExpr(args[2])
			if errA == nil && errB == nil && reflect.DeepEqual(a, b) {
				return a, nil
			}
			return cond, nil
		}
		b, ok := cond.(bool)
		if !ok {
			return nil, fmt.Errorf("if(): the condition is %s, not a boolean", describe(cond))
		}
		if b {
			return ctx.evalExpr(args[1])
		}
		return ctx.evalExpr(args[2])
	case "and", "or":
		var unknown *resource.Unknown
		for _, a := range args {
			v, err := ctx.evalExpr(a)
			if err != nil {
				return nil, err
			}
			if u, ok := v.(*resource.Unknown); ok {
				unknown = u
				continue
			}
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("%s(): argument is %s, not a boolean", name, describe(v))
			}
			if name == "and" && !b {
				return false, nil
			}
			if name == "or" && b {
				return true, nil
			}
		}
		if unknown != nil {
			return unknown, nil
		}
		return name == "and", nil
	default: // coalesce
		for _, a := range args {
			v, err := ctx.evalExpr(a)
			if err != nil {
				return nil, err
			}
			if v != nil {
				return v, nil
			}
		}
		return nil, nil
	}
}

func fnParameters(ctx *evalContext, a []any) (any, error) {
	name, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("the parameter name is %s, not a string", describe(a[0]))
	}
	for k, v := range ctx.params {
		if strings.EqualFold(k, name) {
			return v, nil
		}
	}
	return nil, fmt.Errorf("the definition has no parameter %q", name)
}

func fnField(ctx *evalContext, a []any) (any, error) {
	name, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("the field name is %s, not a string", describe(a[0]))
	}
	r := ctx.subject
	if ctx.subject != ctx.target {
		// In an existenceCondition field() reads the evaluated resource, except for aliases of the
		// related resource's type only (built-ins rely on both readings).
		aliases := ctx.env.aliases()
		_, ofTarget := aliases.Path(ctx.target.Type, name)
		_, ofSubject := aliases.Path(ctx.subject.Type, name)
		if ofTarget && !ofSubject {
			r = ctx.target
		}
	}
	fv, err := ctx.resolveField(r, name, r == ctx.target)
	if err != nil {
		return nil, err
	}
	return fv.asValue(), nil
}

func fnCurrent(ctx *evalContext, a []any) (any, error) {
	if len(a) == 0 {
		if len(ctx.scopes) == 0 {
			return nil, fmt.Errorf("current() is used outside a count")
		}
		return ctx.scopes[len(ctx.scopes)-1].element, nil
	}
	name, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("the name is %s, not a string", describe(a[0]))
	}
	return ctx.current(name)
}

func fnConcat(_ *evalContext, a []any) (any, error) {
	if _, isArray := a[0].([]any); isArray {
		var out []any
		for _, x := range a {
			arr, ok := x.([]any)
			if !ok {
				return nil, fmt.Errorf("cannot concatenate an array with %s", describe(x))
			}
			out = append(out, arr...)
		}
		return out, nil
	}
	var b strings.Builder
	for _, x := range a {
		b.WriteString(stringForm(x))
	}
	return b.String(), nil
}

func fnNot(_ *evalContext, a []any) (any, error) {
	b, ok := a[0].(bool)
	if !ok {
		return nil, fmt.Errorf("argument is %s, not a boolean", describe(a[0]))
	}
	return !b, nil
}

// fnEquals compares like ARM's equals(): strings with regard to case. A missing field (null)
// equals the empty string, which built-ins rely on to guard int(field(...)).
func fnEquals(_ *evalContext, a []any) (any, error) {
	if containsUnknown(a[0]) || containsUnknown(a[1]) {
		return firstUnknown([]any{a[0], a[1]}), nil
	}
	if (a[0] == nil && a[1] == "") || (a[0] == "" && a[1] == nil) {
		return true, nil
	}
	if fa, ok := number(a[0]); ok {
		if fb, ok := number(a[1]); ok {
			return fa == fb, nil
		}
	}
	return reflect.DeepEqual(a[0], a[1]), nil
}

func fnEmpty(_ *evalContext, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return true, nil
	case string:
		return x == "", nil
	case []any:
		return len(x) == 0, nil
	case map[string]any:
		return len(x) == 0, nil
	}
	return false, nil
}

func fnLength(_ *evalContext, a []any) (any, error) {
	switch x := a[0].(type) {
	case string:
		return float64(utf8.RuneCountInString(x)), nil
	case []any:
		return float64(len(x)), nil
	case map[string]any:
		return float64(len(x)), nil
	}
	return nil, fmt.Errorf("argument is %s, not a string, array or object", describe(a[0]))
}

func stringFn(f func(string) string) func(*evalContext, []any) (any, error) {
	return func(_ *evalContext, a []any) (any, error) {
		s, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("argument is %s, not a string", describe(a[0]))
		}
		return f(s), nil
	}
}

func stringPredicate(f func(s, p string) bool) func(*evalContext, []any) (any, error) {
	return func(_ *evalContext, a []any) (any, error) {
		s, ok1 := a[0].(string)
		p, ok2 := a[1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("arguments must be strings")
		}
		return f(s, p), nil
	}
}

func orderFn(f func(int) bool) func(*evalContext, []any) (any, error) {
	return func(_ *evalContext, a []any) (any, error) {
		c, err := compareOrdered(a[0], a[1])
		if err != nil {
			return nil, err
		}
		return f(c), nil
	}
}

func fnSplit(_ *evalContext, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("argument is %s, not a string", describe(a[0]))
	}
	var seps []string
	switch d := a[1].(type) {
	case string:
		seps = []string{d}
	case []any:
		for _, x := range d {
			seps = append(seps, stringForm(x))
		}
	default:
		return nil, fmt.Errorf("delimiter is %s, not a string or array", describe(a[1]))
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

// fnContains is ARM's contains(): substring (with regard to case), array element, or object key.
func fnContains(_ *evalContext, a []any) (any, error) {
	switch c := a[0].(type) {
	case string:
		return strings.Contains(c, stringForm(a[1])), nil
	case []any:
		sawUnknown := false
		for _, e := range c {
			if resource.IsUnknown(e) {
				sawUnknown = true
				continue
			}
			if eq, _ := fnEquals(nil, []any{e, a[1]}); eq == true {
				return true, nil
			}
		}
		if sawUnknown {
			return firstUnknown(c), nil
		}
		return false, nil
	case map[string]any:
		_, found := resource.Lookup(c, stringForm(a[1]))
		return found, nil
	}
	return nil, fmt.Errorf("container is %s, not a string, array or object", describe(a[0]))
}

func fnInt(_ *evalContext, a []any) (any, error) {
	if f, ok := numberLike(a[0]); ok {
		return float64(int64(f)), nil
	}
	return nil, fmt.Errorf("%s is not an integer", describe(a[0]))
}

func fnBool(_ *evalContext, a []any) (any, error) {
	switch x := a[0].(type) {
	case bool:
		return x, nil
	case string:
		b, err := strconv.ParseBool(strings.ToLower(x))
		if err != nil {
			return nil, fmt.Errorf("%s is not a boolean", describe(x))
		}
		return b, nil
	}
	if f, ok := number(a[0]); ok {
		return f != 0, nil
	}
	return nil, fmt.Errorf("%s is not a boolean", describe(a[0]))
}

func fnFirst(_ *evalContext, a []any) (any, error) {
	switch x := a[0].(type) {
	case string:
		if x == "" {
			return "", nil
		}
		r, _ := utf8.DecodeRuneInString(x)
		return string(r), nil
	case []any:
		if len(x) == 0 {
			return nil, nil
		}
		return x[0], nil
	}
	return nil, fmt.Errorf("argument is %s, not a string or array", describe(a[0]))
}

func fnLast(_ *evalContext, a []any) (any, error) {
	switch x := a[0].(type) {
	case string:
		if x == "" {
			return "", nil
		}
		r, _ := utf8.DecodeLastRuneInString(x)
		return string(r), nil
	case []any:
		if len(x) == 0 {
			return nil, nil
		}
		return x[len(x)-1], nil
	}
	return nil, fmt.Errorf("argument is %s, not a string or array", describe(a[0]))
}

func fnReplace(_ *evalContext, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("argument is %s, not a string", describe(a[0]))
	}
	return strings.ReplaceAll(s, stringForm(a[1]), stringForm(a[2])), nil
}

func fnSubstring(_ *evalContext, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("argument is %s, not a string", describe(a[0]))
	}
	start, ok := number(a[1])
	if !ok || start < 0 || start > float64(len(s)) {
		return nil, fmt.Errorf("start index %s is out of range", stringForm(a[1]))
	}
	end := len(s)
	if len(a) == 3 {
		n, ok := number(a[2])
		if !ok || n < 0 || start+n > float64(len(s)) {
			return nil, fmt.Errorf("length %s is out of range", stringForm(a[2]))
		}
		end = int(start) + int(n)
	}
	return s[int(start):end], nil
}

func fnIndexOf(_ *evalContext, a []any) (any, error) {
	s, ok1 := a[0].(string)
	sub, ok2 := a[1].(string)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("arguments must be strings")
	}
	return float64(strings.Index(strings.ToLower(s), strings.ToLower(sub))), nil
}

func fnPadLeft(_ *evalContext, a []any) (any, error) {
	s := stringForm(a[0])
	n, ok := number(a[1])
	if !ok {
		return nil, fmt.Errorf("total length is %s, not a number", describe(a[1]))
	}
	pad := " "
	if len(a) == 3 {
		pad = stringForm(a[2])
		if utf8.RuneCountInString(pad) != 1 {
			return nil, fmt.Errorf("padding must be one character")
		}
	}
	if n > maxPadding {
		return nil, fmt.Errorf("total length %s is over %d", formatNumber(n), maxPadding)
	}
	if missing := int(n) - utf8.RuneCountInString(s); missing > 0 {
		s = strings.Repeat(pad, missing) + s
	}
	return s, nil
}

// maxPadding bounds padLeft, so a rule cannot make lensix allocate without limit.
const maxPadding = 1 << 16

func fnArray(_ *evalContext, a []any) (any, error) {
	if arr, ok := a[0].([]any); ok {
		return arr, nil
	}
	return []any{a[0]}, nil
}

func fnUnion(_ *evalContext, a []any) (any, error) {
	if _, ok := a[0].(map[string]any); ok {
		out := map[string]any{}
		for _, x := range a {
			m, ok := x.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("cannot unite an object with %s", describe(x))
			}
			for k, v := range m {
				out[k] = v
			}
		}
		return out, nil
	}
	var out []any
	for _, x := range a {
		arr, ok := x.([]any)
		if !ok {
			return nil, fmt.Errorf("cannot unite an array with %s", describe(x))
		}
		for _, e := range arr {
			if !containsValue(out, e) {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

func fnIntersection(_ *evalContext, a []any) (any, error) {
	if first, ok := a[0].(map[string]any); ok {
		out := map[string]any{}
		for k, v := range first {
			inAll := true
			for _, x := range a[1:] {
				m, ok := x.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("cannot intersect an object with %s", describe(x))
				}
				if w, found := m[k]; !found || !reflect.DeepEqual(v, w) {
					inAll = false
				}
			}
			if inAll {
				out[k] = v
			}
		}
		return out, nil
	}
	first, ok := a[0].([]any)
	if !ok {
		return nil, fmt.Errorf("argument is %s, not an array or object", describe(a[0]))
	}
	var out []any
	for _, e := range first {
		inAll := true
		for _, x := range a[1:] {
			arr, ok := x.([]any)
			if !ok {
				return nil, fmt.Errorf("cannot intersect an array with %s", describe(x))
			}
			if !containsValue(arr, e) {
				inAll = false
			}
		}
		if inAll && !containsValue(out, e) {
			out = append(out, e)
		}
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

func containsValue(arr []any, v any) bool {
	for _, e := range arr {
		if reflect.DeepEqual(e, v) {
			return true
		}
	}
	return false
}

// timeLayout is the ISO 8601 form Azure Policy's utcNow() returns: yyyy-MM-ddTHH:mm:ss.fffffffZ.
const timeLayout = "2006-01-02T15:04:05.0000000Z"

func fnUtcNow(ctx *evalContext, a []any) (any, error) {
	if len(a) == 1 {
		return nil, fmt.Errorf("format strings are not supported; use utcNow() without arguments")
	}
	return ctx.env.now().UTC().Format(timeLayout), nil
}

func fnAddDays(_ *evalContext, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("date is %s, not a string", describe(a[0]))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("date %q is not ISO 8601: %v", s, err)
	}
	days, ok := numberLike(a[1])
	if !ok {
		return nil, fmt.Errorf("days is %s, not a number", describe(a[1]))
	}
	return t.Add(time.Duration(days * float64(24*time.Hour))).UTC().Format(timeLayout), nil
}

// fnIPRangeContains reports whether the address or CIDR range target lies in range.
func fnIPRangeContains(_ *evalContext, a []any) (any, error) {
	outer, err := parseRange(stringForm(a[0]))
	if err != nil {
		return nil, err
	}
	inner, err := parseRange(stringForm(a[1]))
	if err != nil {
		return nil, err
	}
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr()), nil
}

func parseRange(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(addr, addr.BitLen()), nil
}

// The functions below describe the deployment context. A source knows the resource group and
// subscription names at best; whatever it does not know is unknown, never made up.

func fnResourceGroup(ctx *evalContext, _ []any) (any, error) {
	r := ctx.subject
	var tags any = &resource.Unknown{Reason: "the resource group's tags are not part of the scanned input"}
	if t, ok := ctx.env.ResourceGroupTags[strings.ToLower(r.ResourceGroup)]; ok && r.ResourceGroup != "" {
		tags = t
	}
	rg := map[string]any{
		"tags":     tags,
		"location": &resource.Unknown{Reason: "the resource group's location is not part of the scanned input"},
	}
	if r.ResourceGroup != "" {
		rg["name"] = r.ResourceGroup
	} else {
		rg["name"] = &resource.Unknown{Reason: "the resource group is not known from the input"}
	}
	if r.SubscriptionID != "" && r.ResourceGroup != "" {
		rg["id"] = "/subscriptions/" + r.SubscriptionID + "/resourceGroups/" + r.ResourceGroup
	} else {
		rg["id"] = &resource.Unknown{Reason: "the resource group ID is not known from the input"}
	}
	return rg, nil
}

func fnSubscription(ctx *evalContext, _ []any) (any, error) {
	r := ctx.subject
	if r.SubscriptionID == "" {
		u := &resource.Unknown{Reason: "the subscription is not known from the input"}
		return map[string]any{"subscriptionId": u, "id": u, "displayName": u, "tenantId": u, "tags": u}, nil
	}
	return map[string]any{
		"subscriptionId": r.SubscriptionID,
		"id":             "/subscriptions/" + r.SubscriptionID,
		"displayName":    &resource.Unknown{Reason: "the subscription's display name is not part of the scanned input"},
		"tenantId":       orUnknown(r.Provenance.TenantID, "the tenant is not known from the input"),
		"tags":           subscriptionTags(ctx.env),
	}, nil
}

func subscriptionTags(env *Env) any {
	if env.SubscriptionTags != nil {
		return env.SubscriptionTags
	}
	return &resource.Unknown{Reason: "the subscription's tags are not part of the scanned input"}
}

func fnRequestContext(ctx *evalContext, _ []any) (any, error) {
	apiVersion, found := resource.Lookup(ctx.subject.Body, "apiVersion")
	if !found {
		apiVersion = &resource.Unknown{Reason: "the resource has no apiVersion in the input"}
	}
	return map[string]any{"apiVersion": apiVersion}, nil
}

func fnUniqueString(_ *evalContext, a []any) (any, error) {
	return &resource.Unknown{Reason: "uniqueString() is not computed locally", Expr: "uniqueString(" + stringForm(a) + ")"}, nil
}

func orUnknown(s, reason string) any {
	if s == "" {
		return &resource.Unknown{Reason: reason}
	}
	return s
}

func arithmetic(f func(a, b float64) (float64, error)) func(*evalContext, []any) (any, error) {
	return func(_ *evalContext, a []any) (any, error) {
		x, ok1 := numberLike(a[0])
		y, ok2 := numberLike(a[1])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("arguments must be integers, found %s and %s", describe(a[0]), describe(a[1]))
		}
		return f(x, y)
	}
}

func divide(a, b float64, remainder bool) (float64, error) {
	if int64(b) == 0 {
		return 0, fmt.Errorf("division by zero")
	}
	if remainder {
		return float64(int64(a) % int64(b)), nil
	}
	return float64(int64(a) / int64(b)), nil
}

// extreme is min (sign -1) or max (sign 1) over numbers or one array of numbers.
func extreme(sign int) func(*evalContext, []any) (any, error) {
	return func(_ *evalContext, a []any) (any, error) {
		if arr, ok := a[0].([]any); ok && len(a) == 1 {
			a = arr
		}
		if len(a) == 0 {
			return nil, fmt.Errorf("no values")
		}
		best, ok := number(a[0])
		if !ok {
			return nil, fmt.Errorf("%s is not a number", describe(a[0]))
		}
		for _, v := range a[1:] {
			f, ok := number(v)
			if !ok {
				return nil, fmt.Errorf("%s is not a number", describe(v))
			}
			if (sign < 0 && f < best) || (sign > 0 && f > best) {
				best = f
			}
		}
		return best, nil
	}
}

// fnTryGet reads keys or indexes from a value, giving null where one is missing.
func fnTryGet(_ *evalContext, a []any) (any, error) {
	v := a[0]
	for _, key := range a[1:] {
		switch x := v.(type) {
		case *resource.Unknown:
			return x, nil
		case map[string]any:
			next, found := resource.Lookup(x, stringForm(key))
			if !found {
				return nil, nil
			}
			v = next
		case []any:
			i, ok := number(key)
			if !ok || i < 0 || i >= float64(len(x)) {
				return nil, nil
			}
			v = x[int(i)]
		default:
			return nil, nil
		}
	}
	return v, nil
}

func fnCreateObject(_ *evalContext, a []any) (any, error) {
	if len(a)%2 != 0 {
		return nil, fmt.Errorf("takes key and value pairs, found %d arguments", len(a))
	}
	out := map[string]any{}
	for i := 0; i < len(a); i += 2 {
		key, ok := a[i].(string)
		if !ok {
			return nil, fmt.Errorf("key %s is not a string", describe(a[i]))
		}
		out[key] = a[i+1]
	}
	return out, nil
}

func fnSkipTake(skip bool) func(*evalContext, []any) (any, error) {
	return func(_ *evalContext, a []any) (any, error) {
		n, ok := number(a[1])
		if !ok {
			return nil, fmt.Errorf("count is %s, not a number", describe(a[1]))
		}
		cut := func(length int) (int, int) {
			k := int(min(max(n, 0), float64(length)))
			if skip {
				return k, length
			}
			return 0, k
		}
		switch x := a[0].(type) {
		case string:
			from, to := cut(len(x))
			return x[from:to], nil
		case []any:
			from, to := cut(len(x))
			return x[from:to], nil
		}
		return nil, fmt.Errorf("argument is %s, not a string or array", describe(a[0]))
	}
}

func fnLastIndexOf(_ *evalContext, a []any) (any, error) {
	s, ok1 := a[0].(string)
	sub, ok2 := a[1].(string)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("arguments must be strings")
	}
	return float64(strings.LastIndex(strings.ToLower(s), strings.ToLower(sub))), nil
}

package terraform

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// baseFunctions are the Terraform functions that do not depend on the module's directory. Those
// Terraform defines differently from cty's stdlib (length, replace, index, to*) are written here.
var baseFunctions = map[string]function.Function{
	"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc, "log": stdlib.LogFunc,
	"max": stdlib.MaxFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc,
	"signum": stdlib.SignumFunc,

	"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
	"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc,
	"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc, "split": stdlib.SplitFunc,
	"strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc,
	"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc,
	"replace": replaceFunc, "startswith": startsWithFunc, "endswith": endsWithFunc, "strcontains": strContainsFunc,

	"chunklist": stdlib.ChunklistFunc, "coalesce": coalesceFunc, "coalescelist": stdlib.CoalesceListFunc,
	"compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc,
	"distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc,
	"keys": stdlib.KeysFunc, "length": lengthFunc, "lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc,
	"range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
	"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
	"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
	"one": oneFunc, "alltrue": allTrueFunc, "anytrue": anyTrueFunc, "index": indexFunc, "sum": sumFunc,

	"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc, "csvdecode": stdlib.CSVDecodeFunc,
	"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,

	"tostring": toFunc(cty.String), "tonumber": toFunc(cty.Number), "tobool": toFunc(cty.Bool),
	"tolist": toFunc(cty.List(cty.DynamicPseudoType)), "toset": toFunc(cty.Set(cty.DynamicPseudoType)),
	"tomap": toFunc(cty.Map(cty.DynamicPseudoType)),

	"try": tryfunc.TryFunc, "can": tryfunc.CanFunc, "sensitive": sensitiveFunc,
	"basename": pathFunc(path.Base), "dirname": pathFunc(path.Dir),
}

// moduleFunctions adds the file functions, which read paths relative to the module directory
// and only within the scope's root.
func moduleFunctions(scope *fileScope) map[string]function.Function {
	funcs := make(map[string]function.Function, len(baseFunctions)+5)
	for name, f := range baseFunctions {
		funcs[name] = f
	}
	funcs["file"] = fileFunc(scope)
	funcs["fileexists"] = fileExistsFunc(scope)
	funcs["abspath"] = absPathFunc(scope.dir)
	funcs["templatefile"] = templateFileFunc(scope, funcs)
	return funcs
}

// fileScope is where the file functions of one module may read: regular files under root. A
// scan of an untrusted pull request must not copy the runner's files into its reports.
type fileScope struct {
	dir  string // the module directory, as given
	root string // absolute, symlinks resolved
	// refused is told each path that was not read because it lies outside root.
	refused func(name string)
}

// outsideReason is the reason of the unknown a file function returns for a path outside root.
func outsideReason(name string) string {
	return "file " + name + " is outside the scanned folder; lensix does not read it"
}

// within reports whether p is root or below it (both absolute and clean).
func within(p, root string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// locate resolves name as Terraform would and follows symlinks; inside is false when the file
// (or, for a missing file, its path) lies outside root.
func (s *fileScope) locate(name string) (real string, inside bool, err error) {
	abs, err := filepath.Abs(filepath.FromSlash(resolvePath(s.dir, name)))
	if err != nil {
		return "", false, err
	}
	real, err = filepath.EvalSymlinks(abs)
	if err != nil {
		// A missing file: judge where it would be by its directory's real path.
		dir, dirErr := filepath.EvalSymlinks(filepath.Dir(abs))
		if dirErr != nil {
			dir = filepath.Dir(abs)
		}
		return "", within(filepath.Join(dir, filepath.Base(abs)), s.root), err
	}
	return real, within(real, s.root), nil
}

// read reads a regular file under root, at most maxFileSize bytes; outside is true (and nothing
// read) when the file is outside root.
func (s *fileScope) read(name string) (src []byte, outside bool, err error) {
	real, inside, err := s.locate(name)
	if !inside {
		s.refused(name)
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if !st.Mode().IsRegular() {
		return nil, false, fmt.Errorf("%s is not a regular file", name)
	}
	if st.Size() > maxFileSize {
		return nil, false, fmt.Errorf("%s is larger than %d MiB", name, maxFileSize>>20)
	}
	src, err = io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, false, err
	}
	if len(src) > maxFileSize {
		return nil, false, fmt.Errorf("%s is larger than %d MiB", name, maxFileSize>>20)
	}
	return src, false, nil
}

// indexFunc is Terraform's index(list, value): the position of value in list (cty's stdlib
// "index" is element access, a different function).
var indexFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}, {Name: "value", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		list, value := args[0], args[1]
		if !(list.Type().IsListType() || list.Type().IsTupleType()) {
			return cty.NilVal, function.NewArgErrorf(0, "argument must be a list or tuple")
		}
		for it := list.ElementIterator(); it.Next(); {
			i, elem := it.Element()
			eq, err := stdlib.Equal(elem, value)
			if err != nil {
				return cty.NilVal, err
			}
			if !eq.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if eq.True() {
				return i, nil
			}
		}
		return cty.NilVal, fmt.Errorf("item not found")
	},
})

// sumFunc is Terraform's sum of a list of numbers.
var sumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Number)}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		total := cty.Zero
		for it := args[0].ElementIterator(); it.Next(); {
			_, v := it.Element()
			if v.IsNull() {
				return cty.NilVal, fmt.Errorf("argument must be list of numbers without nulls")
			}
			total = total.Add(v)
		}
		return total, nil
	},
})

// coalesceFunc is Terraform's coalesce: the first argument that is neither null nor "".
var coalesceFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "vals", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.CoalesceFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, arg := range args {
			if !arg.IsKnown() {
				return cty.UnknownVal(retType), nil
			}
			if arg.IsNull() || (arg.Type() == cty.String && arg.AsString() == "") {
				continue
			}
			return convert.Convert(arg, retType)
		}
		return cty.NilVal, fmt.Errorf("no non-null, non-empty-string arguments")
	},
})

var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		if ty == cty.String || ty == cty.DynamicPseudoType || ty.IsCollectionType() || ty.IsTupleType() || ty.IsObjectType() {
			return cty.Number, nil
		}
		return cty.NilType, fmt.Errorf("argument must be a string, a collection type, or a structural type")
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		switch ty := v.Type(); {
		case ty == cty.DynamicPseudoType || !v.IsKnown():
			return cty.UnknownVal(cty.Number), nil
		case ty.IsTupleType():
			return cty.NumberIntVal(int64(ty.Length())), nil
		case ty.IsObjectType():
			return cty.NumberIntVal(int64(len(ty.AttributeTypes()))), nil
		case ty == cty.String:
			return stdlib.Strlen(v)
		default:
			return v.Length(), nil
		}
	},
})

// replaceFunc is Terraform's replace: a substring wrapped in slashes is a regular expression.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		str, substr, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
		if len(substr) > 1 && substr[0] == '/' && substr[len(substr)-1] == '/' {
			re, err := regexp.Compile(substr[1 : len(substr)-1])
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(re.ReplaceAllString(str, repl)), nil
		}
		return cty.StringVal(strings.ReplaceAll(str, substr, repl)), nil
	},
})

func stringPredicate(fn func(s, part string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "part", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(fn(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

var (
	startsWithFunc  = stringPredicate(strings.HasPrefix)
	endsWithFunc    = stringPredicate(strings.HasSuffix)
	strContainsFunc = stringPredicate(strings.Contains)
)

var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			if len(ty.TupleElementTypes()) > 1 {
				return cty.NilType, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
			}
			if len(ty.TupleElementTypes()) == 1 {
				return ty.TupleElementTypes()[0], nil
			}
			return cty.DynamicPseudoType, nil
		}
		return cty.NilType, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		v := args[0]
		if v.IsNull() || v.LengthInt() == 0 {
			return cty.NullVal(retType), nil
		}
		if v.LengthInt() > 1 {
			return cty.NilVal, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
		}
		it := v.ElementIterator()
		it.Next()
		_, elem := it.Element()
		return elem, nil
	},
})

func boolReduce(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, v := it.Element()
				if !v.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				if v.IsNull() {
					continue
				}
				if v.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

var (
	allTrueFunc = boolReduce(true)
	anyTrueFunc = boolReduce(false)
)

// toFunc is Terraform's tostring/tolist/... : a type conversion.
func toFunc(want cty.Type) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true}},
		Type: func(args []cty.Value) (cty.Type, error) {
			got := args[0].Type()
			if got == cty.DynamicPseudoType {
				return want, nil
			}
			conv := convert.GetConversionUnsafe(got, want)
			if conv == nil {
				return cty.NilType, function.NewArgErrorf(0, "cannot convert %s to %s", got.FriendlyName(), want.FriendlyNameForConstraint())
			}
			if want.HasDynamicTypes() {
				if out, err := conv(cty.UnknownVal(got)); err == nil {
					return out.Type(), nil
				}
			}
			return want, nil
		},
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			out, err := convert.Convert(args[0], retType)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return out, nil
		},
	})
}

func pathFunc(fn func(string) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(fn(filepath.ToSlash(args[0].AsString()))), nil
		},
	})
}

// resolvePath finds a file a function names: relative paths are relative to the module dir,
// unless they already start with it (the "${path.module}/x" idiom).
func resolvePath(dir, name string) string {
	name = filepath.ToSlash(name)
	if path.IsAbs(name) || dir == "." || name == dir || strings.HasPrefix(name, dir+"/") {
		return name
	}
	return path.Join(dir, name)
}

func fileFunc(scope *fileScope) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			src, outside, err := scope.read(name)
			switch {
			case outside:
				return cty.UnknownVal(cty.String).Mark(unknownMark{outsideReason(name)}), nil
			case err != nil:
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(string(src)), nil
		},
	})
}

func fileExistsFunc(scope *fileScope) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			real, inside, err := scope.locate(name)
			if !inside {
				scope.refused(name)
				return cty.UnknownVal(cty.Bool).Mark(unknownMark{outsideReason(name)}), nil
			}
			if err != nil {
				return cty.False, nil
			}
			st, err := os.Stat(real)
			return cty.BoolVal(err == nil && st.Mode().IsRegular()), nil
		},
	})
}

func absPathFunc(dir string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			abs, err := filepath.Abs(filepath.FromSlash(args[0].AsString()))
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(filepath.ToSlash(abs)), nil
		},
	})
}

// templateFileFunc renders a template file with the given variables and the module's functions
// (except templatefile itself, as in Terraform).
func templateFileFunc(scope *fileScope, funcs map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			src, outside, err := scope.read(name)
			switch {
			case outside:
				return cty.DynamicVal.Mark(unknownMark{outsideReason(name)}), nil
			case err != nil:
				return cty.DynamicVal, err
			}
			tmpl, hd := hclsyntax.ParseTemplate(src, resolvePath(scope.dir, name), hcl.InitialPos)
			if hd.HasErrors() {
				return cty.DynamicVal, hd
			}
			vars := args[1]
			if !vars.IsWhollyKnown() {
				return cty.DynamicVal, nil
			}
			if vars.IsNull() || !(vars.Type().IsObjectType() || vars.Type().IsMapType()) {
				return cty.DynamicVal, fmt.Errorf("invalid vars value: must be a map")
			}
			inner := make(map[string]function.Function, len(funcs))
			for k, f := range funcs {
				if k != "templatefile" {
					inner[k] = f
				}
			}
			ctx := &hcl.EvalContext{Variables: vars.AsValueMap(), Functions: inner}
			out, hd := tmpl.Value(ctx)
			if hd.HasErrors() {
				return cty.DynamicVal, hd
			}
			return out, nil
		},
	})
}

// sensitiveFunc is Terraform's sensitive(): its argument, marked sensitive.
var sensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType,
		AllowUnknown: true, AllowNull: true, AllowMarked: true, AllowDynamicType: true}},
	Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0].Mark(sensitiveMark{}), nil },
})

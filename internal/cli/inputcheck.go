package cli

import (
	"os"
	"strings"
)

// checkInputFlags catches mistakes in --var, --param, --var-file and --parameters before a
// scan, so they exit 2 (the command line was wrong) rather than 3 (an input could not be read).
func checkInputFlags(in *InputFlags) error {
	var vars, varFiles []string
	for _, v := range in.TerraformVars {
		if v.File != "" {
			varFiles = append(varFiles, v.File)
		} else {
			vars = append(vars, v.Assignment)
		}
	}
	for _, pair := range [...]struct {
		flag   string
		values []string
	}{{"--var", vars}, {"--param", in.Params}} {
		for _, v := range pair.values {
			if name, _, ok := strings.Cut(v, "="); !ok || strings.TrimSpace(name) == "" {
				return usageError("%s %q: want NAME=VALUE", pair.flag, v)
			}
		}
	}
	for _, files := range [...]struct {
		flag  string
		paths []string
	}{{"--var-file", varFiles}, {"--parameters", in.ParameterFiles}} {
		for _, p := range files.paths {
			info, err := os.Stat(p)
			switch {
			case err != nil:
				return usageError("%s %s: %v; check the path", files.flag, p, unwrapStatError(err))
			case info.IsDir():
				return usageError("%s %s is a folder; name the file", files.flag, p)
			}
		}
	}
	return nil
}

// unwrapStatError drops the path an *os.PathError repeats, since the message already names it.
func unwrapStatError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

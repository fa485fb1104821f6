//go:build ignore

// gen writes aliases.tsv.gz, the alias table lensix ships, from the corpus's aliases.json (itself
// derived from jeircul/azure-policy-aliases, which runs Get-AzPolicyAlias -ListAvailable nightly).
//
//	go run ./internal/policy/aliases/gen.go ../shared/corpus/azure-policy/aliases/aliases.json
//
// Each line is "<resource type>\t<alias name>\t<default path>", in the source's order.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

type aliasFile struct {
	SourceRepo    string `json:"sourceRepo"`
	SourceCommit  string `json:"sourceCommit"`
	ResourceTypes []struct {
		FullType string `json:"fullType"`
		Aliases  []struct {
			Name        string `json:"name"`
			DefaultPath string `json:"defaultPath"`
		} `json:"aliases"`
	} `json:"resourceTypes"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run gen.go PATH/TO/aliases.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var in aliasFile
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	_, self, _, _ := runtime.Caller(0)
	out, err := os.Create(filepath.Join(filepath.Dir(self), "aliases.tsv.gz"))
	if err != nil {
		return err
	}
	defer out.Close()
	zw, err := gzip.NewWriterLevel(out, gzip.BestCompression)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(zw)
	fmt.Fprintf(w, "# source: %s@%s via %s\n", in.SourceRepo, in.SourceCommit, filepath.Base(src))
	n := 0
	for _, t := range in.ResourceTypes {
		for _, a := range t.Aliases {
			if strings.ContainsAny(t.FullType+a.Name+a.DefaultPath, "\t\n") {
				return fmt.Errorf("alias %q of %s holds a tab or newline", a.Name, t.FullType)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", t.FullType, a.Name, a.DefaultPath)
			n++
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	fmt.Printf("wrote %d aliases of %d resource types\n", n, len(in.ResourceTypes))
	return out.Close()
}

// Command lensix finds Azure misconfigurations in IaC and live subscriptions.
package main

import (
	"os"

	"github.com/lensix/lensix/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(cli.Run(version, os.Args[1:], cli.System()))
}

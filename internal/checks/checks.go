// Package checks links every built-in check into the binary: importing it fills the registry.
package checks

import (
	// Each service's checks register themselves at init.
	_ "github.com/lensix/lensix/internal/checks/apimgmt"
)

package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the command's standard streams and what they are connected to. Commands never
// look at os.Stdout themselves, so tests can hand them buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	outTTY, errTTY bool
	noColor        bool
}

// System returns the process's streams, with TTY and NO_COLOR decided once.
func System() *IOStreams {
	_, noColor := os.LookupEnv("NO_COLOR")
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		outTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		errTTY:  term.IsTerminal(int(os.Stderr.Fd())),
		noColor: noColor || os.Getenv("TERM") == "dumb",
	}
}

// Test returns streams writing to the given buffers, not a terminal.
func Test(out, errOut io.Writer) *IOStreams {
	return &IOStreams{In: eofReader{}, Out: out, ErrOut: errOut}
}

// ColorEnabled reports whether standard output may carry ANSI colors.
func (s *IOStreams) ColorEnabled() bool { return s.outTTY && !s.noColor }

// IsStderrTTY reports whether progress may be drawn on standard error.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

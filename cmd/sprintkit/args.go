package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// intersperse moves a command's flags in front of its arguments. urfave/cli
// v2 stops parsing flags at the first argument, but people type
// 'sprintkit copy SRC DST --dry-run --json' and 'sprintkit setup URL --dir
// work/project', as they do with go, git and cp. args is what follows the
// command name. A flag that takes a value keeps the next word unless it is
// written --name=value; "--" ends the flags; words that look like flags but
// are none of the command's stay in front, so that urfave/cli names them in
// its usage error.
func intersperse(cmd *cli.Command, args []string) []string {
	var flags, positional, literal []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			literal = args[i:]
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		fl := lookupFlag(cmd, name)
		if fl == nil || hasValue || i+1 >= len(args) {
			continue
		}
		if _, isBool := fl.(*cli.BoolFlag); !isBool {
			i++
			flags = append(flags, args[i])
		}
	}
	if literal == nil {
		return append(flags, positional...)
	}
	// Keep "--" in front of every argument, so that urfave/cli reads the
	// words after it as arguments however they look.
	out := append(append(flags, "--"), positional...)
	return append(out, literal[1:]...)
}

func lookupFlag(cmd *cli.Command, name string) cli.Flag {
	for _, fl := range cmd.Flags {
		for _, n := range fl.Names() {
			if n == name {
				return fl
			}
		}
	}
	return nil
}

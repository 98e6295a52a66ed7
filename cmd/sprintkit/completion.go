package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: `Prints a script that completes sprintkit's commands and flags in your
shell. Load it once, or from your shell's start-up file:

   source <(sprintkit completion bash)           # ~/.bashrc
   source <(sprintkit completion zsh)            # ~/.zshrc (after compinit)
   sprintkit completion fish | source            # ~/.config/fish/config.fish

The bash and zsh scripts ask sprintkit itself for the candidates (the
--generate-bash-completion protocol of urfave/cli), so they follow the
binary's version.`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion needs one shell: bash, zsh or fish")
			}
			switch sh := c.Args().First(); sh {
			case "bash":
				_, err := fmt.Fprint(c.App.Writer, bashCompletion)
				return err
			case "zsh":
				_, err := fmt.Fprint(c.App.Writer, zshCompletion)
				return err
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return fmt.Errorf("completion: %w", err)
				}
				_, err = fmt.Fprint(c.App.Writer, s)
				return err
			default:
				return usagef("completion: unknown shell %q: want bash, zsh or fish", sh)
			}
		},
	}
}

// The bash and zsh scripts are urfave/cli v2's autocomplete scripts with
// the program name filled in.
const bashCompletion = `# bash completion for sprintkit
_sprintkit_complete() {
  local cur words cword
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:$COMP_CWORD}")
  local opts
  if [[ "$cur" == "-"* ]]; then
    opts=$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    opts=$("${words[@]}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "${opts}" -- "${cur}"))
  return 0
}
complete -o bashdefault -o default -o nospace -F _sprintkit_complete sprintkit
`

const zshCompletion = `#compdef sprintkit
_sprintkit_complete() {
  local -a opts
  local cur
  cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _sprintkit_complete sprintkit
`

# bash completion for pfsim(1): the subcommands, each one's options, and file names for
# positional arguments and options that take a file. Installed as
# share/bash-completion/completions/pfsim; to try it from a clone:
#   source scripts/completion/pfsim.bash
# tests/tools/man_completion_check.cmake fails when a subcommand or option of `pfsim --help`
# is missing here.

_pfsim() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local commands="replay merge check explain gen-traffic classify decode import"

  # The subcommand: the first word after pfsim that is not an option.
  local command="" i
  for ((i = 1; i < cword; i++)); do
    if [[ ${words[i]} != -* ]]; then
      command=${words[i]}
      break
    fi
  done

  if [[ -z $command ]]; then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi

  local options
  case $command in
    replay) options="--mode --health-checks --threads --json --dropped-pcap --shard --algorithm --decapsulate --exit-zero --no-fast-path --help" ;;
    merge) options="--json --exit-zero --help" ;;
    import) options="--out --vpc --help" ;;
    check) options="--json --algorithm --exit-zero --help" ;;
    explain) options="--flow --json --help" ;;
    gen-traffic) options="--out --flows --packets --seed --snaplen --help" ;;
    classify) options="--rules --trace --algorithm --threads --repeat --verify --json --help" ;;
    decode) options="--json --limit --decapsulate --help" ;;
    *) return ;;
  esac

  # An option's value.
  case $prev in
    --mode)
      COMPREPLY=($(compgen -W "through-lb as-captured" -- "$cur"))
      return
      ;;
    --health-checks)
      COMPREPLY=($(compgen -W "auto synthesize captured off" -- "$cur"))
      return
      ;;
    --algorithm)
      COMPREPLY=($(compgen -W "auto linear cuttree" -- "$cur"))
      return
      ;;
    --json | --dropped-pcap | --out | --rules | --trace)
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
    --threads | --shard | --flow | --flows | --packets | --seed | --snaplen | --repeat | --limit)
      return # a number or a flow: nothing to offer
      ;;
  esac

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  else
    # Positionals are files: scenarios, captures, reports.
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}

complete -o filenames -o bashdefault -F _pfsim pfsim

# bash completion for portlab (installed as share/bash-completion/completions/portlab).
# Everything offered comes from portlab itself: the commands and each command's options from
# 'portlab help [CMD]', scenario names from 'portlab list', keys for --set, --vary and --y
# from 'portlab keys', so it never disagrees with the portlab it completes for.
# SPDX-License-Identifier: GPL-2.0-only

_portlab()
{
    local cur prev cmd portlab i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    portlab=${COMP_WORDS[0]}
    cmd=
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*) ;;
            *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    COMPREPLY=()

    case $prev in
        --set | --vary)
            # KEY= from 'portlab keys' (NAME, G, H are the scenario's own names).
            local keys
            keys=$("$portlab" keys 2> /dev/null | awk '{print $1 "="}')
            compopt -o nospace 2> /dev/null
            COMPREPLY=($(compgen -W "$keys" -- "$cur"))
            return
            ;;
        --out | --emit-jobs | --remote-root)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        --seed | --seeds | --first-seed | --jobs | -j | --y | --title | --remote-portlab)
            return
            ;;
    esac

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--version --help $("$portlab" help study 2> /dev/null |
                grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$("$portlab" help 2> /dev/null |
                awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} /^$/ {on = 0}')
                study" -- "$cur"))
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$("$portlab" help "$cmd" 2> /dev/null |
            grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
        return
    fi
    case $cmd in
        run | sweep)
            COMPREPLY=($(compgen -W "$("$portlab" list 2> /dev/null | awk '{print $1}')" \
                -- "$cur") $(compgen -f -X '!*.ini' -- "$cur") $(compgen -d -- "$cur"))
            ;;
        help)
            COMPREPLY=($(compgen -W "$("$portlab" help 2> /dev/null |
                awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} /^$/ {on = 0}')
                study" -- "$cur"))
            ;;
        collect | plot)
            COMPREPLY=($(compgen -d -- "$cur"))
            ;;
        script)
            COMPREPLY=($(compgen -f -- "$cur"))
            ;;
    esac
}
complete -F _portlab portlab

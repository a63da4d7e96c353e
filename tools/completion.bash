# bash completion for hallmark-verify, hallmark-keys and hallmark-signer (installed as
# share/bash-completion/completions/hallmark-verify, the other two names linked to it).
# The words come from the tool's own --help, read once per shell, so completion cannot drift
# from the program: commands are the words that follow the tool's name on its usage lines or open a line of its
# "commands:" list,
# options every --long-option the help names.
_hallmark_words() {
    local tool=$1 var
    var=_hallmark_help_${tool//-/_}
    if [ -z "${!var:-}" ]; then
        printf -v "$var" '%s' "$("$tool" --help 2>/dev/null)"
    fi
    printf '%s\n' "${!var}"
}

_hallmark() {
    local cur=${COMP_WORDS[COMP_CWORD]} tool=${COMP_WORDS[0]} prev words
    prev=${COMP_WORDS[COMP_CWORD - 1]:-}
    case "$prev" in
    --keystore | --logo-dir | --out)
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        return
        ;;
    --*file | --audit | --clients | --bundle | --root | --message | --state | --tls-* | --client-ca | --logo | --checkpoint | --tokens | --status)
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
        ;;
    esac
    if [[ "$cur" == -* ]]; then
        words=$(_hallmark_words "$tool" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
    elif [ "$COMP_CWORD" -eq 1 ]; then
        # The usage lines ("usage: TOOL COMMAND", "       TOOL COMMAND") and the first word of
        # each line of a "commands:" list.
        words=$(_hallmark_words "$tool" | awk -v t="${tool##*/}" '
            /^commands:/ { list = 1; next }
            /^$/ { list = 0 }
            list && /^  [a-z]/ { print $1 }
            ($1 == "usage:" && $2 == t) { print $3 }
            ($1 == t) { print $2 }' | grep -x '[a-z][a-z-]*' | sort -u)
        # A tool without commands (hallmark-verify) starts with its options.
        [ -n "$words" ] || words=$(_hallmark_words "$tool" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
    else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}
complete -F _hallmark hallmark-verify hallmark-keys hallmark-signer

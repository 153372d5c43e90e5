#!/bin/sh
# The container image's entrypoint: `syncd` with the container's arguments.
#
#   (no arguments)            syncd run               the service (the default)
#   --once, --config PATH     syncd run --once ...    options of `syncd run`
#   --help, -h, --version     syncd --help ...        syncd's own options
#   check, status, demo ...   syncd check ...         any syncd command
#   syncd check ...           syncd check ...         the same, spelled in full
#
# For a shell in the image: docker run --rm -it --entrypoint sh IMAGE
set -eu

if [ "$#" -eq 0 ]; then
    set -- run
elif [ "$1" = syncd ]; then
    shift
    [ "$#" -gt 0 ] || set -- run
else
    case "$1" in
        -h | --help | --version) ;;
        -*) set -- run "$@" ;;
    esac
fi
exec syncd "$@"

#!/usr/bin/env bash
# meson test --wrap helper: run an ELF test binary under valgrind (memcheck, definite leaks and
# every error fail the test with exit 99); anything else (a script test) exits 77 so that
# tests/run.sh leaves it out of the valgrind phase (it already ran in the ASan phase).
prog=$1
if [ "$(head -c 4 "$prog" 2>/dev/null | od -An -c | tr -d ' ')" != '177ELF' ]; then
  exit 77
fi
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --track-fds=no --num-callers=30 "$@"

#!/bin/sh
# The demo site's CGI script: GET /hello/{name}'s page, the way servers ran programs before WSGI.
# The server tells it about the request in environment variables and reads its answer from its
# standard output: headers, a blank line, the body. Try /cgi-bin/hello.sh?name=Ada
name=${QUERY_STRING#name=}
name=${name%%&*}
case "$name" in
  ''|*[!A-Za-z0-9_-]*) name=World ;; # letters, digits, - and _ only: nothing to escape
esac
printf 'Content-Type: text/plain; charset=utf-8\r\n'
printf '\r\n'
printf 'Hello, %s! (from a CGI script, run for a %s request)\n' "$name" "$REQUEST_METHOD"

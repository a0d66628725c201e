/* The stand-in for a service's program in the build checks (scripts/build-checks):
 * listens on every TCP port in $DOCKMEND_STANDIN_PORTS ("8000 8001") and answers
 * each HTTP request with 200 and $DOCKMEND_STANDIN_BODY (default {"status": "ok"}),
 * so that a HEALTHCHECK probe of the fixed image has something real to reach.
 * Built static on the host (cc -static), so it runs in any stand-in base. */
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  const char* ports = getenv("DOCKMEND_STANDIN_PORTS");
  const char* body = getenv("DOCKMEND_STANDIN_BODY");
  if (!body || !*body) body = "{\"status\": \"ok\"}";
  if (!ports || !*ports) ports = "8000";
  struct pollfd fds[32];
  int n = 0;
  char* list = strdup(ports);
  for (char* tok = strtok(list, " ,"); tok && n < 32; tok = strtok(NULL, " ,")) {
    int port = atoi(tok);
    if (port <= 0 || port > 65535) continue;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr*)&a, sizeof a) != 0 || listen(s, 16) != 0) {
      perror("dockmend-standin-server: bind");
      return 1;
    }
    fds[n].fd = s;
    fds[n].events = POLLIN;
    ++n;
  }
  fprintf(stderr, "dockmend-standin-server: listening on %s\n", ports);
  for (;;) {
    if (poll(fds, (nfds_t)n, -1) < 0) continue;
    for (int i = 0; i < n; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      int c = accept(fds[i].fd, NULL, NULL);
      if (c < 0) continue;
      char req[4096];
      ssize_t got = read(c, req, sizeof req);
      (void)got;
      char head[256];
      int hl = snprintf(head, sizeof head,
                        "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                        strlen(body));
      if (write(c, head, (size_t)hl) < 0 || write(c, body, strlen(body)) < 0) perror("write");
      close(c);
    }
  }
}

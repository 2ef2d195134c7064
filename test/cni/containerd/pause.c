/* The sandbox's only process: sleeps until told to stop. Static, so the image needs no libc. */
#include <signal.h>
#include <unistd.h>

static void stop(int sig) { (void)sig; _exit(0); }

int main(void) {
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  signal(SIGCHLD, SIG_IGN); /* reap whatever might be re-parented to us */
  for (;;) pause();
}

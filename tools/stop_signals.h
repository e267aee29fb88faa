// SIGINT and SIGTERM blocked in the calling thread (and so in every thread it
// starts from then on), for a main() that waits for them with sigwait():
// a server's or a worker's thread must never be the one they interrupt.
// Shared by the emulator (tools/main.cpp) and the CLI (tools/cli/run.cpp).
#pragma once

#include <pthread.h>
#include <signal.h>

namespace hwocr::tools {

inline sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace hwocr::tools

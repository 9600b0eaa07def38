#pragma once

namespace onewindow::server {

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts
// later, so they are taken only by WaitForShutdownSignal(). Call it first in
// main, before any library starts threads.
void BlockShutdownSignals();

// Waits for SIGTERM or SIGINT and returns its number.
int WaitForShutdownSignal();

}  // namespace onewindow::server

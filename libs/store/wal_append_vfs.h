#pragma once

namespace onewindow::store {

// A SQLite VFS that writes a connection's WAL in one write per commit.
//
// SQLite writes each WAL frame as two writes, its 24-byte header and its
// page: for a commit of 200 pages that is 400 pwrite calls, and under
// approval_bench they took 18 % of the committing thread's time. This VFS
// collects the frames a transaction appends and writes them at once when
// the commit frame (the one whose header carries the database size) is
// written. That is still inside SQLite's write of the commit, before it
// publishes the commit to readers, so readers never see a frame the file
// lacks, and a failed write fails the COMMIT as before.
//
// Anything else on the WAL (a read, a write that does not append, a sync,
// a truncate, a size query, a close) first writes what is collected, so
// SQLite sees the file it wrote. Other files pass straight through.
//
// Registers the VFS with SQLite over `below` (a registered VFS name, or
// nullptr for the default; it must stay registered) on first use and
// returns its name, or nullptr if `below` is unknown or registering failed.
// SQLite keeps it for the life of the process. Thread-safe.
const char* WalAppendVfs(const char* below = nullptr);

}  // namespace onewindow::store

#pragma once

namespace onewindow::gateway {

// Raises this process's soft limit on open descriptors to its hard limit
// and returns how many of `wanted` connections fit under it with `reserve`
// descriptors left for everything else (Redis, backend channels, logs).
// Past the limit accept() fails, and a flood of connections would leave the
// gateway unable to reach its own backends.
int ConnectionsWithinDescriptorLimit(int wanted, int reserve);

}  // namespace onewindow::gateway

// Reserving large output buffers (a Poll_Response part is megabytes) so that the kernel can
// back them with transparent huge pages.
//
// glibc serves such allocations with a fresh mmap, so every 4 KiB page of a part's answer is
// a page fault on first write; on a virtual machine each costs several microseconds, and for
// a 10,000-block poll they were a third of taxiid's CPU (docs/bench.md, "Session 6"). With
// THP in "madvise" mode (Debian's default) a range marked MADV_HUGEPAGE is filled 2 MiB at a
// time instead. The buffer is reserved 2 MiB larger than asked, so that the 2 MiB-aligned
// part of the mapping covers all but the first (at most) 2 MiB of what is written; untouched
// reserve costs address space only. Below 1 MiB it does a plain reserve().
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace taxii {

inline void reserve_big(std::string& s, std::size_t n) {
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  if (n < (std::size_t{1} << 20)) {
    s.reserve(n);
    return;
  }
  s.reserve(n + kHuge);
  const auto begin = reinterpret_cast<std::uintptr_t>(s.data());
  const std::uintptr_t from = (begin + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t to = (begin + s.capacity()) & ~(kHuge - 1);
  // Advice only: where THP is off or the range is not anonymous memory, nothing changes.
  if (to > from) (void)::madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
}

}  // namespace taxii

// taxii: the command-line client. `taxii <command> [options]`; `taxii help <command>`.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/command.hpp"
#include "client/cli/common.hpp"

namespace taxii::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> cmds = {
      {"discover", "list the services a TAXII server offers (Discovery)", run_discover},
      {"collections", "list the collections (feeds) of a Collection Management service", run_collections},
      {"poll", "fetch content from a collection (follows multi-part results)", run_poll},
      {"push", "send files to an Inbox service", run_push},
      {"subscribe", "subscribe, unsubscribe, pause, resume, show subscriptions", run_subscribe},
      {"fulfill", "fetch a part of a multi-part or asynchronous poll result", run_fulfill},
      {"validate", "check TAXII 1.1/1.0 XML messages against the specification", run_validate},
      {"convert", "convert STIX 1.x XML to STIX 2.1 JSON (docs/bridge.md)", run_convert},
  };
  return cmds;
}

}  // namespace taxii::cli

namespace {

// Asks for transparent huge pages on the heap (what glibc's glibc.malloc.hugetlb=1 tunable
// does, which a program cannot set for itself). The heap is grown once by 64 MiB of address
// space (M_TOP_PAD; untouched pages are not resident) and that range is marked
// MADV_HUGEPAGE, so that THP in "madvise" mode (Debian's default) fills it 2 MiB per fault
// instead of 4 KiB. A 10k-block poll took ~6,300 page faults, a fifth of the client's CPU on
// a VM where each costs ~10 us; with this ~1,100 (docs/bench.md, "Session 7"). The trim
// threshold keeps the range from being given back and mapped again without the advice.
void advise_heap_huge_pages() {
  constexpr size_t kPad = size_t{64} << 20, kHuge = size_t{2} << 20;
  mallopt(M_TOP_PAD, static_cast<int>(kPad));
  void* p = std::malloc(256 * 1024);  // below the mmap threshold: grows the heap by kPad
  if (p == nullptr) return;
  const auto lo = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const auto hi = reinterpret_cast<uintptr_t>(sbrk(0)) & ~(kHuge - 1);
  std::free(p);
  // Advice only. Only when the range is the heap just grown (under a sanitizer, say, p is not
  // from the brk heap at all).
  if (hi > lo && hi - lo <= kPad + (size_t{8} << 20)) (void)madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
}

void usage(std::ostream& os) {
  os << "usage: taxii <command> [options] [arguments]\n\n"
        "TAXII 1.1 / 1.0 command-line client.\n\ncommands:\n";
  for (const auto& c : taxii::cli::commands()) {
    os << "  " << c.name << std::string(12 - std::min<size_t>(11, c.name.size()), ' ') << c.summary << "\n";
  }
  os << "\nRun 'taxii <command> --help' for the options of a command.\n"
        "Exit status: 0 success, 1 invalid message, 2 usage error, 3 transport error,\n"
        "4 TAXII error status from the server, 5 local file error.\n";
}

}  // namespace

int main(int argc, char** argv) {
  // A server (or proxy) that closes a connection while a request is being written must give a
  // transport error (and the keep-alive resend of bindings/http/http_client.hpp), not kill the
  // process silently. Writes to a closed stdout then fail and are reported (exit 5).
  std::signal(SIGPIPE, SIG_IGN);
  // Memory of a long poll (issue #9: < 64 MB for 1M blocks): parts (MBs each) are fetched and
  // parsed on short-lived threads. With glibc's defaults each thread gets an arena that keeps
  // what it freed (1M-block poll, two parts fetched at once: 63 MiB), so one arena. Part-sized
  // buffers come from that heap and stay there (mmap threshold 16 MiB; trim threshold 256
  // MiB, so that the huge-page range below is never given back): with a 256 KiB threshold
  // every ~3 MB body was mapped and faulted in page by page and unmapped again (1M blocks:
  // 1.18M page faults, 47.6 s; now 10k, 37 s; peak 47 -> 52 MiB). The MALLOC_* variables
  // (and GLIBC_TUNABLES, for the huge pages) still override.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 1);
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  if (std::getenv("MALLOC_TOP_PAD_") == nullptr && std::getenv("GLIBC_TUNABLES") == nullptr) advise_heap_huge_pages();
  return taxii::cli::run_program(taxii::cli::commands(), std::vector<std::string>(argv + 1, argv + argc), usage,
                                 std::string("taxii ") + TAXII_VERSION);
}

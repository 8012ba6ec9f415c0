// Running the real `taxii` binary from tests: argv, stdin from a file, stdout and stderr
// captured, a controlled environment (TAXII_USER / TAXII_PASSWORD of the test's own
// environment never leak in), a deadline after which the process is killed, and optionally
// stderr on a pseudo-terminal (to see the progress line). Also strict checks of --json output.
// Header-only; used by the tests in tests/cli. Not thread-safe (one run at a time).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

extern char** environ;

namespace taxii::clitest {

struct Run {
  int code = -1;  // exit status; -1 killed by a signal, -2 killed at the deadline
  std::string out, err;
  double seconds = 0;
  int signal = 0;  // the signal that killed it
};

struct RunOptions {
  std::string stdin_file = "/dev/null";
  std::vector<std::string> env;  // "NAME=value", added to the (filtered) environment
  std::chrono::seconds deadline{120};
  bool stderr_tty = false;       // stderr is a pseudo-terminal (its output lands in Run::err)
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void spit(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

inline std::string dump(const Run& r) {
  return "exit " + std::to_string(r.code) + (r.signal ? " (signal " + std::to_string(r.signal) + ")" : std::string()) + "\nstdout: " + r.out.substr(0, 4000) + "\nstderr: " + r.err.substr(0, 4000);
}

// Runs `taxii args...` (TAXII_CLI_PATH) and waits for it, at most opt.deadline.
inline Run taxii_cli(const std::vector<std::string>& args, const RunOptions& opt = {}) {
  namespace fs = std::filesystem;
  static int n = 0;
  const std::string base =
      fs::temp_directory_path().string() + "/cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  const std::string out = base + ".out", err = base + ".err";

  int master = -1;
  std::string tty_name;
  if (opt.stderr_tty) {
    master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) throw std::runtime_error("no pseudo-terminal");
    tty_name = ::ptsname(master);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, opt.stdin_file.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (opt.stderr_tty) posix_spawn_file_actions_addopen(&fa, 2, tty_name.c_str(), O_RDWR | O_NOCTTY, 0);
  else posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (master >= 0) posix_spawn_file_actions_addclose(&fa, master);

  std::vector<std::string> all = {TAXII_CLI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string s = *e;
    if (s.rfind("TAXII_USER=", 0) == 0 || s.rfind("TAXII_PASSWORD=", 0) == 0) continue;
    env_strings.push_back(s);
  }
  for (const auto& e : opt.env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  Run r;
  std::string tty_out;
  std::thread reader;
  if (master >= 0) {
    reader = std::thread([master, &tty_out] {
      char buf[4096];
      for (;;) {
        const ssize_t k = ::read(master, buf, sizeof buf);
        if (k > 0) tty_out.append(buf, static_cast<size_t>(k));
        else if (k < 0 && errno == EINTR) continue;
        else break;  // EIO once the child (the only holder of the slave) is gone
      }
    });
  }
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = -1;
  if (posix_spawn(&pid, all[0].c_str(), &fa, nullptr, argv.data(), envp.data()) == 0) {
    int status = 0;
    for (;;) {
      const pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
        break;
      }
      if (std::chrono::steady_clock::now() - start > opt.deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        r.code = -2;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  posix_spawn_file_actions_destroy(&fa);
  if (reader.joinable()) reader.join();
  if (master >= 0) ::close(master);
  r.out = slurp(out);
  r.err = opt.stderr_tty ? tty_out : slurp(err);
  if (r.code == -2) r.err += "\n(killed: still running after " + std::to_string(opt.deadline.count()) + " s)";
  std::error_code ec;
  fs::remove(out, ec);
  fs::remove(err, ec);
  return r;
}

// --json output: exactly one JSON object on one line, then a newline (docs/cli.md), parsed
// with Poco's JSON parser. Fails the test otherwise.
inline Poco::JSON::Object::Ptr json_of(const Run& r) {
  BOOST_TEST_REQUIRE(!r.out.empty(), "no JSON document\n" << dump(r));
  BOOST_TEST(r.out.find('\n') == r.out.size() - 1, "not one document on one line\n" << dump(r));
  try {
    auto v = Poco::JSON::Parser().parse(r.out);
    return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    BOOST_FAIL("not one JSON document: " + e.displayText() + "\n" + dump(r));
  } catch (const std::exception& e) {
    BOOST_FAIL(std::string("not a JSON object: ") + e.what() + "\n" + dump(r));
  }
  return nullptr;
}

inline bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace taxii::clitest

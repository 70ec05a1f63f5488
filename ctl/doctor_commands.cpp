// edgechatctl doctor: the real probes behind ctl/doctor.hpp (programs run without a shell and
// with a timeout, the filesystem, users, the worker over HTTP, Redis, MySQL) and the command.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/ids.hpp"
#include "ctl/commands.hpp"
#include "ctl/doctor.hpp"
#include "registry/redis_client.hpp"
#include "shared/redis_auth.hpp"
#include "shared/unique_fd.hpp"
#include "store/migrations.hpp"
#include "store/mysql_util.hpp"

extern char** environ;

namespace edgechat::ctl {

using namespace edgechat::worker;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kCommandTimeout = std::chrono::seconds(10);
constexpr auto kHttpTimeout = std::chrono::seconds(3);
// What is kept of a program's stdout or stderr (the rest is read and dropped).
constexpr std::size_t kMaxOutputBytes = 64u << 20;

using Fd = shared::UniqueFd;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Runs argv[0] (a path, no shell, no PATH search) with stdin from /dev/null; collects stdout and
// stderr until it exits or kCommandTimeout passes (then it is killed).
doctor::ProcessResult RunProgram(const std::vector<std::string>& argv) {
  doctor::ProcessResult result;
  if (argv.empty() || argv[0].find('/') == std::string::npos) {
    result.error = "not a path: " + (argv.empty() ? std::string() : argv[0]);
    return result;
  }
  if (::access(argv[0].c_str(), X_OK) != 0) {
    result.error = argv[0] + ": " + std::strerror(errno);
    return result;
  }
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  out_write.Reset();
  err_write.Reset();
  if (rc != 0) {
    result.error = argv[0] + ": " + std::strerror(rc);
    return result;
  }
  result.started = true;
  auto deadline = Clock::now() + kCommandTimeout;
  bool out_open = true, err_open = true;
  char buffer[8192];
  while (out_open || err_open) {
    pollfd fds[2] = {{out_open ? out_read.get() : -1, POLLIN, 0},
                     {err_open ? err_read.get() : -1, POLLIN, 0}};
    int ready = ::poll(fds, 2, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        std::string& into = i == 0 ? result.output : result.errors;
        if (into.size() < kMaxOutputBytes) into.append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        (i == 0 ? out_open : err_open) = false;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out) {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return result;
}

std::optional<doctor::PathInfo> StatPath(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return doctor::PathInfo{S_ISSOCK(st.st_mode), st.st_uid, st.st_gid,
                          static_cast<unsigned>(st.st_mode & 07777)};
}

std::optional<doctor::UserInfo> LookupUser(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr)
    return std::nullopt;
  doctor::UserInfo info{pw.pw_uid, pw.pw_gid, {}};
  int count = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  if (::getgrouplist(name.c_str(), pw.pw_gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count));
    ::getgrouplist(name.c_str(), pw.pw_gid, groups.data(), &count);
  }
  groups.resize(static_cast<std::size_t>(count));
  info.groups = std::move(groups);
  return info;
}

Error HttpError(const std::string& what) {
  return Error{ErrorKind::kUnavailable, "unreachable", what};
}

// GET `path` over the worker's socket, HTTP/1.1 with Connection: close, within kHttpTimeout.
Result<doctor::HttpAnswer> HttpGet(const ListenSpec& listen, const std::string& path) {
  auto deadline = Clock::now() + kHttpTimeout;
  Fd fd;
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  if (listen.is_unix()) {
    auto* un = reinterpret_cast<sockaddr_un*>(&addr);
    un->sun_family = AF_UNIX;
    if (listen.unix_path.size() >= sizeof un->sun_path) return HttpError("socket path too long");
    std::memcpy(un->sun_path, listen.unix_path.c_str(), listen.unix_path.size() + 1);
    addr_len = sizeof(sockaddr_un);
    fd.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&addr);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (::inet_pton(AF_INET, listen.host.c_str(), &in4->sin_addr) == 1) {
      in4->sin_family = AF_INET;
      in4->sin_port = htons(listen.port);
      addr_len = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, listen.host.c_str(), &in6->sin6_addr) == 1) {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(listen.port);
      addr_len = sizeof(sockaddr_in6);
    } else {
      return HttpError("worker.listen host " + listen.host + " is not an address");
    }
    fd.Reset(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  }
  if (fd.get() < 0) return HttpError(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN)
      return HttpError(std::string("connect: ") + std::strerror(errno));
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) <= 0) return HttpError("connect timed out");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return HttpError(std::string("connect: ") + std::strerror(err));
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: worker\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return HttpError(std::string("send: ") + std::strerror(errno));
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) <= 0) return HttpError("send timed out");
  }
  std::string response;
  char buffer[4096];
  while (response.size() < (1 << 16)) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) <= 0) {
      if (response.find("\r\n\r\n") != std::string::npos) break;  // the headers came
      return HttpError("no answer within " + std::to_string(kHttpTimeout.count()) + " s");
    }
    ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return HttpError(std::string("recv: ") + std::strerror(errno));
    }
    response.append(buffer, static_cast<std::size_t>(n));
  }
  // "HTTP/1.1 200 OK"
  if (!response.starts_with("HTTP/1.") || response.size() < 12)
    return HttpError("the answer is not HTTP");
  doctor::HttpAnswer answer;
  answer.status = std::atoi(response.c_str() + 9);
  if (auto body = response.find("\r\n\r\n"); body != std::string::npos)
    answer.body = response.substr(body + 4);
  return answer;
}

// Connects (AUTH as configured) and PINGs, then asks TIME; an ACL refusing TIME (NOPERM) leaves
// the clock unknown.
doctor::RedisTime RedisTimeOf(const RedisSettings& settings) {
  RedisClient client(settings);
  if (auto connected = client.Connect(); !connected) return connected.error();
  if (auto pong = client.Command({"PING"}); !pong) return pong.error();
  auto reply = client.Command({"TIME"});
  if (!reply) {
    if (reply.error().message.find("NOPERM") != std::string::npos) return std::optional<double>();
    return reply.error();
  }
  if (reply->kind != RedisReply::Kind::kArray || reply->elements.size() != 2) {
    return Error{ErrorKind::kUnavailable, "redis_unavailable",
                 "Redis at " + settings.Describe() + " answered TIME with no time"};
  }
  return std::optional<double>(std::strtod(reply->elements[0].text.c_str(), nullptr) +
                               std::strtod(reply->elements[1].text.c_str(), nullptr) / 1e6);
}

Result<doctor::DbFacts> DbFactsFrom(const DbSettings& db) {
  ConnectionPool pool(db);
  auto facts = WithConnection<
      doctor::DbFacts>(pool, [](DbConnection& c) -> Result<doctor::DbFacts> {
    doctor::DbFacts facts;
    {
      auto rs = Query(*Prepare(c, "SELECT UNIX_TIMESTAMP(NOW(6)) AS now"));
      if (rs->next()) facts.now = std::strtod(std::string(rs->getString("now")).c_str(), nullptr);
    }
    {
      auto rs = Query(*Prepare(c,
                               "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE "
                               "TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN "
                               "('schema_migrations', 'sites')"));
      while (rs->next()) {
        std::string table = rs->getString("t");
        if (table == "schema_migrations") facts.has_migrations = true;
        if (table == "sites") facts.has_sites = true;
      }
    }
    if (facts.has_migrations) {
      auto rs = Query(*Prepare(c, "SELECT version, checksum FROM schema_migrations"));
      while (rs->next())
        facts.applied.push_back({rs->getUInt("version"), std::string(rs->getString("checksum"))});
    }
    return facts;
  });
  if (!facts || !facts->has_sites) return facts;
  doctor::DbFacts out = std::move(facts).value();
  EC_TRY(sites, ListSites(pool));
  for (const auto& s : sites) out.sites.push_back({s.key, s.name, s.main, s.origins.size()});
  return out;
}

Result<std::vector<doctor::SqlFile>> SqlFiles(const std::string& dir) {
  EC_TRY(files, ListMigrationFiles(dir));
  std::vector<doctor::SqlFile> out;
  for (const auto& f : files) {
    std::ifstream in(f.path, std::ios::binary);
    if (!in) return Error{ErrorKind::kInternal, "io_error", "cannot read " + f.path};
    std::stringstream text;
    text << in.rdbuf();
    out.push_back({f.version, f.name, Sha256Hex(text.str())});
  }
  return out;
}

// The running worker's limit when its pid is known, else this process's hard limit: the worker
// raises its soft limit to the hard one at start (docs/configuration.md, "Event streams").
std::optional<doctor::OpenFiles> OpenFilesOf(std::optional<long> pid) {
  if (pid) {
    std::string path = "/proc/" + std::to_string(*pid) + "/limits";
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      if (!line.starts_with("Max open files")) continue;
      std::istringstream fields(line.substr(std::strlen("Max open files")));
      std::string soft;
      fields >> soft;
      if (soft == "unlimited") return doctor::OpenFiles{1u << 30, path};
      try {
        return doctor::OpenFiles{std::stoull(soft), path};
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
    // No such process: fall through to this process's limit.
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
  std::uint64_t hard = limit.rlim_max == RLIM_INFINITY ? (1u << 30) : limit.rlim_max;
  return doctor::OpenFiles{
      hard, std::string(pid ? "no worker with pid " + std::to_string(*pid) + "; " : "") +
                "this shell's hard limit, which a worker started here gets"};
}

std::optional<long> ReadPid(const std::string& file) {
  std::ifstream in(file);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return pid;
}

// The process listening on unix socket `path`: its inode from /proc/net/unix, then the process
// holding a descriptor "socket:[INODE]" (every process's /proc/PID/fd is readable by root only).
std::optional<long> SocketOwner(const std::string& path) {
  std::ifstream unix_sockets("/proc/net/unix");
  std::string inode;
  for (std::string line; std::getline(unix_sockets, line);) {
    // Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 is a listening socket.
    std::istringstream fields(line);
    std::string num, refs, protocol, flags, type, state, node, name;
    if (!(fields >> num >> refs >> protocol >> flags >> type >> state >> node >> name)) continue;
    if (name == path && flags == "00010000") {
      inode = node;
      break;
    }
  }
  if (inode.empty()) return std::nullopt;
  const std::string want = "socket:[" + inode + "]";
  std::error_code ec;
  for (const auto& proc : std::filesystem::directory_iterator("/proc", ec)) {
    std::string pid = proc.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code fd_ec;
    for (const auto& fd : std::filesystem::directory_iterator(proc.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      if (std::filesystem::read_symlink(fd.path(), link_ec).string() == want) {
        return std::strtol(pid.c_str(), nullptr, 10);
      }
    }
  }
  return std::nullopt;
}

double EpochNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int RunDoctorCommand(const Context& ctx) {
  if (!ctx.args.positional.empty()) {
    return ctx.out.Fail(
        {ErrorKind::kInvalidInput, "usage", "unexpected " + ctx.args.positional[0]});
  }
  doctor::Options options;
  if (auto v = ctx.args.Get("nginx")) options.nginx = *v;
  if (auto v = ctx.args.Get("nginx-conf")) options.nginx_conf = *v;
  if (auto v = ctx.args.Get("nginx-prefix")) options.nginx_prefix = *v;
  if (auto v = ctx.args.Get("sql-dir")) options.sql_dir = *v;
  if (auto v = ctx.args.Get("worker-pid-file")) options.worker_pid_file = *v;
  if (auto v = ctx.args.Get("clock-tolerance-ms")) {
    auto ms = ParsePositive("clock-tolerance-ms", *v, 3600000);
    if (!ms) return ctx.out.Fail(ms.error());
    options.clock_tolerance_s = *ms / 1000.0;
  }
#ifdef EDGECHAT_NGINX_VERSION
  options.module_built_for = EDGECHAT_NGINX_VERSION;
#endif
  doctor::Probes probes;
  probes.run = RunProgram;
  probes.stat = StatPath;
  probes.user = LookupUser;
  probes.http = HttpGet;
  probes.redis = RedisTimeOf;
  probes.db = [&ctx] { return DbFactsFrom(ctx.settings.db); };
  probes.sql_files = SqlFiles;
  probes.read_secret = shared::ReadSecretFile;
  probes.open_files = OpenFilesOf;
  probes.read_pid = ReadPid;
  probes.socket_owner = SocketOwner;
  probes.now = EpochNow;
  auto checks = doctor::RunDoctor(ctx.settings, options, probes);
  if (ctx.out.json_mode()) {
    ctx.out.Print(doctor::ReportJson(checks));
  } else {
    std::cout << doctor::ReportText(checks);
  }
  return doctor::Healthy(checks) ? kExitOk : kExitFailure;
}

}  // namespace

std::vector<Command> DoctorCommands() {
  return {
      {{"doctor"},
       {{"nginx", true, false},
        {"nginx-conf", true, false},
        {"nginx-prefix", true, false},
        {"sql-dir", true, false},
        {"worker-pid-file", true, false},
        {"clock-tolerance-ms", true, false}},
       "edgechatctl doctor [--nginx BIN] [--nginx-conf FILE] [--nginx-prefix DIR]\n"
       "                   [--sql-dir DIR] [--worker-pid-file FILE] [--clock-tolerance-ms N]\n"
       "  Checks the installation end to end (nginx module, public origin, TLS, worker socket,\n"
       "  Redis, MySQL, migrations, clocks, open files, sites without origins): one line per\n"
       "  check with the fix. Defaults: --nginx /usr/sbin/nginx, --nginx-conf\n"
       "  /etc/nginx/nginx.conf, --clock-tolerance-ms 2000. Exit 0 healthy (warnings allowed),\n"
       "  1 when a check failed, 2 bad usage.\n",
       RunDoctorCommand},
  };
}

}  // namespace edgechat::ctl

// MQL5 emulation, part 3: the file sandbox and terminal global variables. `--data DIR` is the
// terminal's data folder: plain names live under DIR/MQL5/Files, FILE_COMMON ones under
// DIR/Common/Files (the folder all terminals of a computer share). Paths use MQL5's backslash
// and may not leave the sandbox.
#pragma once
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <map>
#include "builtins.h"

#define FILE_READ 1
#define FILE_WRITE 2
#define FILE_BIN 4
#define FILE_CSV 8
#define FILE_TXT 16
#define FILE_ANSI 32
#define FILE_UNICODE 64
#define FILE_SHARE_READ 128
#define FILE_SHARE_WRITE 256
#define FILE_REWRITE 512
#define FILE_COMMON 4096
// FileSeek's origins: MQL5's SEEK_SET, SEEK_CUR and SEEK_END are C's, with the same values (0, 1, 2).

namespace mql {
inline std::string g_dataDir = ".";

inline std::string SandboxRoot(bool common) { return g_dataDir + (common ? "/Common/Files" : "/MQL5/Files"); }

inline void MakeDirs(const std::string &path) {
  for (size_t at = 1; at <= path.size(); at++) {
    if (at == path.size() || path[at] == '/') mkdir(path.substr(0, at).c_str(), 0755);
  }
}

// The absolute path of an MQL5 file name, or "" (error 5002) when it would leave the sandbox.
inline std::string SandboxPath(const string &name, bool common) {
  std::string relative = name.utf8();
  std::replace(relative.begin(), relative.end(), '\\', '/');
  if (relative.empty() || relative[0] == '/' || relative.find("..") != std::string::npos || relative.find(':') != std::string::npos) {
    g_lastError = 5002;
    return "";
  }
  return SandboxRoot(common) + "/" + relative;
}

struct OpenFile { int fd; int flags; };
inline std::map<int, OpenFile> g_files;
inline int g_nextHandle = 1;
struct FindState { std::vector<std::string> names; size_t next; };
inline std::map<long, FindState> g_finds;
}  // namespace mql

inline int FileOpen(const string &name, int flags, short delimiter = '\t', uint codepage = CP_ACP) {
  (void)delimiter; (void)codepage;
  std::string path = mql::SandboxPath(name, flags & FILE_COMMON);
  if (path.empty()) return INVALID_HANDLE;
  mql::MakeDirs(path.substr(0, path.rfind('/')));
  int mode = (flags & FILE_WRITE) ? ((flags & FILE_READ) ? O_RDWR | O_CREAT : O_WRONLY | O_CREAT | O_TRUNC) : O_RDONLY;
  int fd = open(path.c_str(), mode, 0644);
  if (fd < 0) { mql::g_lastError = 5004; return INVALID_HANDLE; }
  int handle = mql::g_nextHandle++;
  mql::g_files[handle] = {fd, flags};
  return handle;
}
inline mql::OpenFile *FileOf(int handle) {
  auto it = mql::g_files.find(handle);
  if (it == mql::g_files.end()) { mql::g_lastError = 5008; return nullptr; }
  return &it->second;
}
inline void FileClose(int handle) {
  if (auto *f = FileOf(handle)) { close(f->fd); mql::g_files.erase(handle); }
}
inline ulong FileSize(int handle) {
  auto *f = FileOf(handle);
  struct stat st;
  return f && fstat(f->fd, &st) == 0 ? static_cast<ulong>(st.st_size) : 0;
}
inline bool FileSeek(int handle, long offset, int origin) {
  auto *f = FileOf(handle);
  return f && lseek(f->fd, offset, origin) >= 0;
}
inline ulong FileTell(int handle) {
  auto *f = FileOf(handle);
  return f ? static_cast<ulong>(lseek(f->fd, 0, SEEK_CUR)) : 0;
}
inline bool FileIsEnding(int handle) { return FileTell(handle) >= FileSize(handle); }
// MQL5's FileFlush writes the terminal's buffers to disk; fsync gives the same guarantee here.
inline void FileFlush(int handle) {
  if (auto *f = FileOf(handle)) fsync(f->fd);
}
template <typename T>
uint FileReadArray(int handle, MqlArray<T> &out, int start = 0, int count = WHOLE_ARRAY) {
  auto *f = FileOf(handle);
  if (!f) return 0;
  long available = static_cast<long>(FileSize(handle) - FileTell(handle)) / static_cast<long>(sizeof(T));
  long n = count < 0 ? available : std::min<long>(count, available);
  if (ArraySize(out) < start + n) ArrayResize(out, static_cast<int>(start + n));
  ssize_t got = read(f->fd, out.items.data() + start, n * sizeof(T));
  return got > 0 ? static_cast<uint>(got / sizeof(T)) : 0;
}
template <typename T>
uint FileWriteArray(int handle, const MqlArray<T> &in, int start = 0, int count = WHOLE_ARRAY) {
  auto *f = FileOf(handle);
  if (!f || !(f->flags & FILE_WRITE)) { mql::g_lastError = 5009; return 0; }
  long n = count < 0 ? ArraySize(in) - start : std::min<long>(count, ArraySize(in) - start);
  if (n <= 0) return 0;
  ssize_t put = write(f->fd, in.items.data() + start, n * sizeof(T));
  return put > 0 ? static_cast<uint>(put / sizeof(T)) : 0;
}
inline bool FileIsExist(const string &name, int common = 0) {
  std::string path = mql::SandboxPath(name, common & FILE_COMMON);
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
inline bool FileDelete(const string &name, int common = 0) {
  std::string path = mql::SandboxPath(name, common & FILE_COMMON);
  if (path.empty() || unlink(path.c_str()) != 0) { mql::g_lastError = 5004; return false; }
  return true;
}
// FileMove(src, src_common, dst, mode): FILE_COMMON in mode puts dst in the common folder;
// without FILE_REWRITE an existing dst is an error, as in MetaTrader.
inline bool FileMove(const string &source, int sourceCommon, const string &target, int mode) {
  std::string from = mql::SandboxPath(source, sourceCommon & FILE_COMMON);
  std::string to = mql::SandboxPath(target, mode & FILE_COMMON);
  if (from.empty() || to.empty()) return false;
  struct stat st;
  if (!(mode & FILE_REWRITE) && stat(to.c_str(), &st) == 0) { mql::g_lastError = 5019; return false; }
  mql::MakeDirs(to.substr(0, to.rfind('/')));
  if (rename(from.c_str(), to.c_str()) != 0) { mql::g_lastError = 5004; return false; }
  return true;
}
inline bool FolderCreate(const string &name, int common = 0) {
  std::string path = mql::SandboxPath(name, common & FILE_COMMON);
  if (path.empty()) return false;
  mql::MakeDirs(path);
  return true;
}
inline bool FileFindNext(long handle, string &found) {
  auto it = mql::g_finds.find(handle);
  if (it == mql::g_finds.end() || it->second.next >= it->second.names.size()) return false;
  found = string(it->second.names[it->second.next++].c_str());
  return true;
}
// Names matching the filter's last part (wildcards), sorted; folders end with a backslash.
inline long FileFindFirst(const string &filter, string &found, int common = 0) {
  std::string path = mql::SandboxPath(filter, common & FILE_COMMON);
  if (path.empty()) return INVALID_HANDLE;
  std::string folder = path.substr(0, path.rfind('/'));
  std::string pattern = path.substr(path.rfind('/') + 1);
  DIR *dir = opendir(folder.c_str());
  if (!dir) { mql::g_lastError = 5018; return INVALID_HANDLE; }
  mql::FindState state{{}, 0};
  while (struct dirent *entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == ".." || fnmatch(pattern.c_str(), name.c_str(), 0) != 0) continue;
    struct stat st;
    bool isDir = stat((folder + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    state.names.push_back(isDir ? name + "\\" : name);
  }
  closedir(dir);
  std::sort(state.names.begin(), state.names.end());
  if (state.names.empty()) { mql::g_lastError = 5018; return INVALID_HANDLE; }
  long handle = mql::g_nextHandle++;
  mql::g_finds[handle] = state;
  FileFindNext(handle, found);
  return handle;
}
inline void FileFindClose(long handle) { mql::g_finds.erase(handle); }

// ---- terminal global variables: kept in DIR/GlobalVariables.txt, as the terminal keeps them
// across restarts.
namespace mql {
inline std::map<std::string, std::pair<double, datetime>> LoadGlobals() {
  std::map<std::string, std::pair<double, datetime>> values;
  FILE *file = std::fopen((g_dataDir + "/GlobalVariables.txt").c_str(), "r");
  if (!file) return values;
  char name[512];
  double value;
  long when;
  while (std::fscanf(file, "%511s %lf %ld", name, &value, &when) == 3) values[name] = {value, when};
  std::fclose(file);
  return values;
}
inline void SaveGlobals(const std::map<std::string, std::pair<double, datetime>> &values) {
  std::string tmp = g_dataDir + "/GlobalVariables.tmp";
  FILE *file = std::fopen(tmp.c_str(), "w");
  if (!file) return;
  for (auto &entry : values) std::fprintf(file, "%s %.17g %ld\n", entry.first.c_str(), entry.second.first, entry.second.second);
  std::fflush(file);
  fsync(fileno(file));
  std::fclose(file);
  rename(tmp.c_str(), (g_dataDir + "/GlobalVariables.txt").c_str());
}
}  // namespace mql
inline datetime GlobalVariableSet(const string &name, double value) {
  auto values = mql::LoadGlobals();
  values[name.utf8()] = {value, TimeCurrent()};
  mql::SaveGlobals(values);
  return TimeCurrent();
}
inline double GlobalVariableGet(const string &name) {
  auto values = mql::LoadGlobals();
  auto it = values.find(name.utf8());
  if (it == values.end()) { mql::g_lastError = 4501; return 0; }
  return it->second.first;
}
inline bool GlobalVariableCheck(const string &name) { return mql::LoadGlobals().count(name.utf8()) > 0; }
inline bool GlobalVariableDel(const string &name) {
  auto values = mql::LoadGlobals();
  bool had = values.erase(name.utf8()) > 0;
  mql::SaveGlobals(values);
  return had;
}
inline int GlobalVariablesTotal() { return static_cast<int>(mql::LoadGlobals().size()); }

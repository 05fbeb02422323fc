// mapFile(path) -> ArrayBuffer | undefined: a private, copy-on-write memory map of a whole file, for
// the model's caches (tens of MB read on every start-up). Copying them into fresh memory costs
// ~1 ms per MB (page faults of new memory plus the copy); a map of a file in the page cache costs
// neither until a page is touched. undefined when mapping is not possible here (Windows, an empty
// file, an error): the caller reads the file instead. The caches are replaced by rename only
// (store/fs-run-tracker.ts writeFileAtomic), so a mapped file is never truncated under the map.
#include <node_api.h>

#include <string>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define ARGINATOR_HAVE_MMAP 1
#endif

namespace arginator {

namespace {

#ifdef ARGINATOR_HAVE_MMAP
void Unmap(napi_env, void* data, void* hint) {
  munmap(data, reinterpret_cast<size_t>(hint));
}
#endif

}  // namespace

napi_value MapFile(napi_env env, napi_callback_info info) {
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  size_t length = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], nullptr, 0, &length) != napi_ok) {
    napi_throw_type_error(env, nullptr, "mapFile: expected a path");
    return nullptr;
  }
#ifdef ARGINATOR_HAVE_MMAP
  std::string path(length, '\0');
  napi_get_value_string_utf8(env, argv[0], path.data(), length + 1, &length);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return undefined;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    close(fd);
    return undefined;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  // Private and writable: a write by mistake changes this process's copy, never the file.
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  if (data == MAP_FAILED) return undefined;
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, data, size, Unmap, reinterpret_cast<void*>(size),
                                       &buffer) != napi_ok) {
    munmap(data, size);
    // A runtime that refuses external memory (a V8 sandbox) leaves a pending exception: clear it.
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    return undefined;
  }
  return buffer;
#else
  return undefined;
#endif
}

}  // namespace arginator

#!/usr/bin/env bash
# Builds mediasoup's C++ worker offline, against Debian's libraries.
#
# Why: mediasoup's postinstall downloads a prebuilt worker from GitHub and falls back to a meson
# build whose subprojects come from GitHub / wrapdb. Neither is reachable here, so the project
# installs with MEDIASOUP_WORKER_BIN=skip and builds the worker with this script instead
# (see shared notes "Building mediasoup's worker with no GitHub access").
#
# The binary is cached outside node_modules, keyed by mediasoup's version, so `npm ci` does not
# throw away a ~7 minute build; it is then copied to mediasoup's default location
# (node_modules/mediasoup/worker/out/Release/mediasoup-worker) so nothing is configured at run
# time.
#
# Needs the Debian packages: build-essential pkg-config meson ninja-build flatbuffers-compiler
# libflatbuffers-dev libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev
set -euo pipefail

log() { printf '[mediasoup-worker] %s\n' "$*"; }
die() {
  printf '[mediasoup-worker] ERROR: %s\n' "$*" >&2
  exit 1
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mediasoup_dir="${repo_root}/node_modules/mediasoup"
[[ -f "${mediasoup_dir}/package.json" ]] || die "mediasoup is not installed (${mediasoup_dir})"

version="$(node -p "require(process.argv[1]).version" "${mediasoup_dir}/package.json")"
[[ -n "${version}" ]] || die "cannot read mediasoup's version"

cache_root="${EDUCLOUD_CACHE_DIR:-${HOME}/.cache/educloud}"
cache_dir="${cache_root}/mediasoup-worker-${version}"
cached_bin="${cache_dir}/mediasoup-worker"
default_bin="${mediasoup_dir}/worker/out/Release/mediasoup-worker"

# Replaces exactly one occurrence of a literal text in a file; anything else is an error, so a
# mediasoup upgrade that moves the code makes the build stop instead of silently skipping a fix.
patch_once() {
  local file="$1" old="$2" new="$3" what="$4"
  python3 - "${file}" "${old}" "${new}" "${what}" <<'PY' || exit 1
import sys
path, old, new, what = sys.argv[1:5]
with open(path, encoding="utf-8") as f:
    text = f.read()
count = text.count(old)
if count != 1:
    sys.stderr.write(
        f"[mediasoup-worker] ERROR: patch '{what}': expected the target text exactly once in "
        f"{path}, found it {count} times\n"
    )
    sys.exit(1)
with open(path, "w", encoding="utf-8") as f:
    f.write(text.replace(old, new, 1))
PY
  log "patched: ${what}"
}

check_tools() {
  local missing=()
  local tool
  for tool in python3 meson ninja flatc pkg-config c++ cc; do
    command -v "${tool}" >/dev/null 2>&1 || missing+=("${tool}")
  done
  local lib
  for lib in openssl libuv libsrtp2 usrsctp flatbuffers absl_flat_hash_map absl_strings; do
    pkg-config --exists "${lib}" 2>/dev/null || missing+=("pkg-config:${lib}")
  done
  if ((${#missing[@]} > 0)); then
    die "missing build dependencies: ${missing[*]}
  install: apt-get install -y --no-install-recommends build-essential pkg-config meson \
ninja-build flatbuffers-compiler libflatbuffers-dev libssl-dev libuv1-dev libsrtp2-dev \
libusrsctp-dev libabsl-dev"
  fi
}

write_stubs() {
  local sub="$1/subprojects"

  # The wraps would make meson download sources; stub subprojects over Debian's libraries
  # define the same variables mediasoup's meson.build reads. Empty lists vanish from link_whole.
  rm -f "${sub}"/*.wrap
  mkdir -p "${sub}"/{openssl,libuv,libsrtp3/include,usrsctp,abseil-cpp,flatbuffers,catch2}

  cat >"${sub}/openssl/meson.build" <<'EOF'
project('openssl', 'c')
openssl_dep = dependency('openssl')
libcrypto_lib = []
libssl_lib = []
EOF

  cat >"${sub}/libuv/meson.build" <<'EOF'
project('libuv', 'c')
libuv_dep = dependency('libuv')
libuv = []
EOF
  cat >"${sub}/libuv/meson_options.txt" <<'EOF'
option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)
EOF

  cat >"${sub}/usrsctp/meson.build" <<'EOF'
project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
usrsctp = []
EOF
  cat >"${sub}/usrsctp/meson_options.txt" <<'EOF'
option('sctp_build_programs', type: 'boolean', value: false)
EOF

  cat >"${sub}/flatbuffers/meson.build" <<'EOF'
project('flatbuffers', 'cpp')
flatbuffers_dep = dependency('flatbuffers')
flatbuffers_lib = []
EOF

  cat >"${sub}/abseil-cpp/meson.build" <<'EOF'
project('abseil-cpp', 'cpp')
absl_container_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map'),
  dependency('absl_flat_hash_set'),
  dependency('absl_btree'),
  dependency('absl_inlined_vector'),
])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = dependency('absl_optional')
absl_container_lib = []
EOF

  cat >"${sub}/catch2/meson.build" <<'EOF'
project('catch2', 'cpp')
catch2_dep = dependency('', required: false)
EOF

  cat >"${sub}/libsrtp3/meson.build" <<'EOF'
project('libsrtp3', 'c')
libsrtp3_dep = declare_dependency(
  dependencies: dependency('libsrtp2'),
  include_directories: include_directories('include'),
)
libsrtp3 = []
EOF
  cat >"${sub}/libsrtp3/meson_options.txt" <<'EOF'
option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'string', value: 'disabled')
option('tests', type: 'string', value: 'disabled')
EOF

  # mediasoup is written against libsrtp3 (separate in/out buffers, size_t lengths); Debian
  # ships libsrtp2 (in place, int lengths). These overloads adapt the calls mediasoup makes.
  cat >"${sub}/libsrtp3/include/srtp.h" <<'EOF'
// libsrtp3 API subset over Debian's libsrtp2, for mediasoup's worker (generated by
// scripts/build-mediasoup-worker.sh).
#ifndef EDUCLOUD_SRTP3_COMPAT_H
#define EDUCLOUD_SRTP3_COMPAT_H

#include <srtp2/srtp.h>

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

// Error codes that exist in libsrtp3 only; libsrtp2's enum ends at 27.
static constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
static constexpr srtp_err_status_t srtp_err_status_cryptex_err = static_cast<srtp_err_status_t>(29);

namespace educloud_srtp_compat
{
	// MKI is never used by mediasoup, so the largest trailer is the auth tag (+ SRTCP index).
	inline srtp_err_status_t Prepare(
	  const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t trailer, int* intLen)
	{
		if (inLen > static_cast<size_t>(INT_MAX) - trailer || *outLen < inLen + trailer)
		{
			return srtp_err_status_buffer_small;
		}
		if (out != in)
		{
			std::memmove(out, in, inLen);
		}
		*intLen = static_cast<int>(inLen);
		return srtp_err_status_ok;
	}

	inline srtp_err_status_t PrepareInPlace(
	  const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, int* intLen)
	{
		if (inLen > static_cast<size_t>(INT_MAX) || *outLen < inLen)
		{
			return srtp_err_status_buffer_small;
		}
		if (out != in)
		{
			std::memmove(out, in, inLen);
		}
		*intLen = static_cast<int>(inLen);
		return srtp_err_status_ok;
	}
} // namespace educloud_srtp_compat

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t /*mkiIndex*/)
{
	int len = 0;
	srtp_err_status_t err =
	  educloud_srtp_compat::Prepare(rtp, rtpLen, srtp, srtpLen, SRTP_MAX_TAG_LEN, &len);
	if (err != srtp_err_status_ok)
		return err;
	err = srtp_protect(ctx, srtp, &len);
	if (err == srtp_err_status_ok)
		*srtpLen = static_cast<size_t>(len);
	return err;
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t /*mkiIndex*/)
{
	int len = 0;
	srtp_err_status_t err =
	  educloud_srtp_compat::Prepare(rtcp, rtcpLen, srtcp, srtcpLen, SRTP_MAX_TAG_LEN + 4, &len);
	if (err != srtp_err_status_ok)
		return err;
	err = srtp_protect_rtcp(ctx, srtcp, &len);
	if (err == srtp_err_status_ok)
		*srtcpLen = static_cast<size_t>(len);
	return err;
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	int len = 0;
	srtp_err_status_t err = educloud_srtp_compat::PrepareInPlace(srtp, srtpLen, rtp, rtpLen, &len);
	if (err != srtp_err_status_ok)
		return err;
	err = srtp_unprotect(ctx, rtp, &len);
	if (err == srtp_err_status_ok)
		*rtpLen = static_cast<size_t>(len);
	return err;
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	int len = 0;
	srtp_err_status_t err =
	  educloud_srtp_compat::PrepareInPlace(srtcp, srtcpLen, rtcp, rtcpLen, &len);
	if (err != srtp_err_status_ok)
		return err;
	err = srtp_unprotect_rtcp(ctx, rtcp, &len);
	if (err == srtp_err_status_ok)
		*rtcpLen = static_cast<size_t>(len);
	return err;
}

inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}
#endif // __cplusplus

#endif // EDUCLOUD_SRTP3_COMPAT_H
EOF
  log "subproject stubs written (Debian libraries, libsrtp3 compat header)"
}

apply_patches() {
  local src="$1"

  # Debian 12 ships meson 1.0.1; nothing mediasoup uses needs 1.1.
  patch_once "${src}/meson.build" \
    "meson_version: '>= 1.1.0'" \
    "meson_version: '>= 1.0.0'" \
    "meson.build: accept meson >= 1.0.0"

  # ESSENTIAL: Debian's OpenSSL has kernel TLS, so the BIO callback sees BIO_CB_RETURN combined
  # with other flags; comparing with == returned 1 instead of the real result and every DTLS
  # handshake crashed the worker (SIGSEGV in do_dtls1_write). Upstream 3.27.1 uses this test.
  patch_once "${src}/src/RTC/DtlsTransport.cpp" \
    "(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;" \
    "((operationType & BIO_CB_RETURN) != 0) ? static_cast<long>(ret) : 1;" \
    "DtlsTransport.cpp: BIO_CB_RETURN flag test (kernel TLS OpenSSL)"

  # ICE over TCP: without TCP_NODELAY Nagle batches small RTP/RTCP writes (~600 kbit/s and
  # 30-45 ms RTT on loopback). Start() runs right after uv_accept() on the accepted connection.
  patch_once "${src}/src/handles/TcpConnectionHandle.cpp" \
    "	// NOLINTNEXTLINE(misc-const-correctness)
	int err = uv_read_start(" \
    "	// EduCloud: disable Nagle so media over ICE-TCP is not delayed and batched.
	{
		const int nodelayErr = uv_tcp_nodelay(this->uvHandle, 1);

		if (nodelayErr != 0)
		{
			MS_WARN_DEV(\"uv_tcp_nodelay() failed: %s\", uv_strerror(nodelayErr));
		}
	}

	// NOLINTNEXTLINE(misc-const-correctness)
	int err = uv_read_start(" \
    "TcpConnectionHandle.cpp: TCP_NODELAY on accepted connections"
}

install_default_copy() {
  mkdir -p "$(dirname "${default_bin}")"
  if [[ -f "${default_bin}" ]] && cmp -s "${cached_bin}" "${default_bin}"; then
    log "default location already up to date: ${default_bin}"
  else
    cp -f "${cached_bin}" "${default_bin}.tmp.$$"
    chmod 0755 "${default_bin}.tmp.$$"
    mv -f "${default_bin}.tmp.$$" "${default_bin}"
    log "copied to mediasoup's default location: ${default_bin}"
  fi
}

smoke_test() {
  local bin="$1" rc=0
  # Without MEDIASOUP_VERSION the worker exits with its own code 41: proves it loads and runs.
  env -u MEDIASOUP_VERSION "${bin}" >/dev/null 2>&1 || rc=$?
  [[ ${rc} -eq 41 ]] || die "worker did not run (exit code ${rc}; ldd: $(ldd "${bin}" | grep 'not found' || true))"
  # Then a real start through mediasoup's own API, with a router and a WebRTC transport.
  (cd "${repo_root}" && MEDIASOUP_WORKER_BIN="${bin}" node --input-type=module -e '
    import * as mediasoup from "mediasoup";
    const worker = await mediasoup.createWorker({ logLevel: "warn" });
    const router = await worker.createRouter({ mediaCodecs: [
      { kind: "audio", mimeType: "audio/opus", clockRate: 48000, channels: 2 } ] });
    await router.createWebRtcTransport({ listenInfos: [{ protocol: "udp", ip: "127.0.0.1" }] });
    const usage = await worker.getResourceUsage();
    worker.close();
    console.log(`pid ${worker.pid}, maxrss ${usage.ru_maxrss} KiB`);
  ') >"${cache_dir}/smoke.log" 2>&1 || die "worker failed to start through mediasoup: $(cat "${cache_dir}/smoke.log")"
  log "worker starts through mediasoup ($(tail -n 1 "${cache_dir}/smoke.log"))"
}

build() {
  check_tools

  local scratch="${cache_dir}/build-scratch"
  rm -rf "${scratch}"
  mkdir -p "${scratch}"
  log "copying ${mediasoup_dir}/worker to ${scratch}/worker"
  cp -a "${mediasoup_dir}/worker" "${scratch}/worker"
  local src="${scratch}/worker"
  rm -rf "${src}/out" "${src}/build"

  write_stubs "${src}"
  apply_patches "${src}"

  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  local started=${SECONDS}
  log "meson setup (liburing disabled: Debian's 2.3 lacks io_uring_prep_sendto)"
  (cd "${src}" && meson setup build --buildtype release -Db_ndebug=true \
    -Dms_disable_liburing=true) >"${scratch}/meson-setup.log" 2>&1 ||
    die "meson setup failed, see ${scratch}/meson-setup.log"
  log "generating flatbuffers headers"
  (cd "${src}" && meson compile -C build flatbuffers-generator) >"${scratch}/flatbuffers.log" 2>&1 ||
    die "flatbuffers generation failed, see ${scratch}/flatbuffers.log"
  log "compiling mediasoup-worker with ${jobs} jobs (several minutes; log: ${scratch}/ninja.log)"
  (cd "${src}" && ninja -C build -j "${jobs}" mediasoup-worker) >"${scratch}/ninja.log" 2>&1 ||
    die "compilation failed, see ${scratch}/ninja.log (last lines:
$(tail -n 30 "${scratch}/ninja.log"))"
  log "compiled in $((SECONDS - started)) s"

  strip "${src}/build/mediasoup-worker"
  smoke_test "${src}/build/mediasoup-worker"
  cp -f "${src}/build/mediasoup-worker" "${cached_bin}.tmp.$$"
  mv -f "${cached_bin}.tmp.$$" "${cached_bin}"
  rm -rf "${scratch}"
  log "cached: ${cached_bin}"
}

log "mediasoup ${version}"
mkdir -p "${cache_dir}"
# Two concurrent runs (setup + CI job, two shells) must not build into the same scratch folder.
exec 9>"${cache_dir}/.lock"
flock 9
if [[ -x "${cached_bin}" ]]; then
  log "cached binary found, skipping build: ${cached_bin}"
else
  build
fi
install_default_copy
smoke_test "${default_bin}"
log "done"

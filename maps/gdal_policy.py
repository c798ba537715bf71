"""What GDAL may do in this process: open six vector formats from local files, nothing else.

GDAL picks the driver of a file from its content, and several drivers read what a file names
(an OGR VRT opens any path or URL; the GeoJSON driver downloads a `"crs": {"type": "link"}`).
pyogrio 0.13 passes no allowed-driver list to GDALOpenEx, so the allow-list is the driver
registry itself: every other driver is deregistered, every virtual file system but /vsimem/
(pyogrio's in-memory buffers) is removed, and GDAL's HTTP client answers every request with an
error without touching the network. GDAL offers these through its C API only (GDAL_SKIP works
only before the drivers are registered, and no configuration option turns HTTP off), which
pyogrio does not wrap: they are called through ctypes on the libgdal pyogrio has loaded, and
`lock_down()` then checks through pyogrio itself that the registry is what we asked for.
"""

import ctypes
import ctypes.util
import logging
import threading
from pathlib import Path

import pyogrio
import pyproj.network

logger = logging.getLogger(__name__)

ALLOWED_DRIVERS = frozenset({"GeoJSON", "GPKG", "ESRI Shapefile", "KML", "LIBKML", "DXF"})
KEPT_FILE_SYSTEMS = frozenset({"/vsimem/"})
CONFIG_OPTIONS = {
    # A GeoPackage's views and triggers may not call OGR's SQL functions (which open other
    # data sources or geocode over HTTP) nor its VirtualOGR tables: GDAL's defaults, pinned.
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
    "ALLOW_VIRTUAL_OGR_FROM_TRIGGER_AND_VIEW": "NO",
    "OGR_SQLITE_LOAD_EXTENSIONS": "",
    # KML styles stay in the file.
    "LIBKML_RESOLVE_STYLE": "NO",
    "LIBKML_EXTERNAL_STYLE": "NO",
    # Files are opened by name; no directory listing of the private temporary folder.
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_ALLOW_VSISTDIN": "NO",
}

_lock = threading.Lock()
_locked_down = False
_keep_alive: list = []  # GDAL holds the callback's pointer: the function must outlive it


class GdalNotLockedDown(RuntimeError):
    pass


class _HTTPResult(ctypes.Structure):
    """CPLHTTPResult (cpl_http.h)."""

    _fields_ = [
        ("nStatus", ctypes.c_int),
        ("pszContentType", ctypes.c_void_p),
        ("pszErrBuf", ctypes.c_void_p),
        ("nDataLen", ctypes.c_int),
        ("nDataAlloc", ctypes.c_int),
        ("pabyData", ctypes.c_void_p),
        ("papszHeaders", ctypes.c_void_p),
        ("nMimePartCount", ctypes.c_int),
        ("pasMimePart", ctypes.c_void_p),
    ]


_FETCH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_void_p,  # CPLHTTPResult *
    ctypes.c_char_p,  # URL
    ctypes.c_void_p,  # options
    ctypes.c_void_p,  # progress function
    ctypes.c_void_p,  # progress argument
    ctypes.c_void_p,  # write function
    ctypes.c_void_p,  # write argument
    ctypes.c_void_p,  # user data
)


def lock_down() -> None:
    """Apply the policy once per process (idempotent, thread-safe); raise if it cannot be."""
    global _locked_down
    with _lock:
        if _locked_down:
            return
        library = _library()
        _deregister_drivers(library)
        _remove_file_systems(library)
        _refuse_http(library)
        pyogrio.set_gdal_config_options(CONFIG_OPTIONS)
        pyproj.network.set_network_enabled(active=False)
        _osr_network_off(library)
        _locked_down = True
    check()


def check() -> None:
    """Fail closed: refuse to go on if GDAL can open anything outside the allow-list."""
    drivers = set(pyogrio.list_drivers())
    if not _locked_down or drivers - ALLOWED_DRIVERS:
        raise GdalNotLockedDown(f"GDAL drivers outside the allow-list: {sorted(drivers)}")


def file_systems() -> list[str]:
    return _prefixes(_library())


def _library() -> ctypes.CDLL:
    """The libgdal pyogrio loaded (dlopen of a loaded library returns the same instance)."""
    for candidate in _loaded_gdal_paths() + _bundled_gdal_paths():
        library = ctypes.CDLL(str(candidate))
        library.GDALVersionInfo.restype = ctypes.c_char_p
        library.GDALVersionInfo.argtypes = [ctypes.c_char_p]
        if library.GDALVersionInfo(b"RELEASE_NAME").decode() == pyogrio.__gdal_version_string__:
            _declare(library)
            return library
    raise GdalNotLockedDown("cannot find the GDAL library pyogrio uses")


def _loaded_gdal_paths() -> list[Path]:
    maps = Path("/proc/self/maps")
    if not maps.exists():
        return []
    paths = {line.split()[-1] for line in maps.read_text().splitlines() if "libgdal" in line}
    return sorted(Path(path) for path in paths if path.startswith("/"))


def _bundled_gdal_paths() -> list[Path]:
    package = Path(pyogrio.__file__).parent
    found = sorted(package.parent.glob("pyogrio.libs/libgdal*"))
    found += sorted(package.glob(".dylibs/libgdal*"))
    system = ctypes.util.find_library("gdal")
    return found + ([Path(system)] if system else [])


def _declare(library: ctypes.CDLL) -> None:
    library.GDALGetDriverCount.restype = ctypes.c_int
    library.GDALGetDriver.restype = ctypes.c_void_p
    library.GDALGetDriver.argtypes = [ctypes.c_int]
    library.GDALGetDriverShortName.restype = ctypes.c_char_p
    library.GDALGetDriverShortName.argtypes = [ctypes.c_void_p]
    library.GDALDeregisterDriver.argtypes = [ctypes.c_void_p]
    library.VSIGetFileSystemsPrefixes.restype = ctypes.POINTER(ctypes.c_char_p)
    library.VSIRemovePluginHandler.argtypes = [ctypes.c_char_p]
    library.CSLDestroy.argtypes = [ctypes.c_void_p]
    library.CPLHTTPSetFetchCallback.argtypes = [_FETCH_CALLBACK, ctypes.c_void_p]
    library.CPLCalloc.restype = ctypes.c_void_p
    library.CPLCalloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
    library.CPLStrdup.restype = ctypes.c_void_p
    library.CPLStrdup.argtypes = [ctypes.c_char_p]
    library.OSRSetPROJEnableNetwork.argtypes = [ctypes.c_int]


def _deregister_drivers(library: ctypes.CDLL) -> None:
    drivers = [library.GDALGetDriver(index) for index in range(library.GDALGetDriverCount())]
    for driver in drivers:
        if library.GDALGetDriverShortName(driver).decode() not in ALLOWED_DRIVERS:
            library.GDALDeregisterDriver(driver)


def _prefixes(library: ctypes.CDLL) -> list[str]:
    array = library.VSIGetFileSystemsPrefixes()
    prefixes = []
    index = 0
    while array[index]:
        prefixes.append(array[index].decode())
        index += 1
    library.CSLDestroy(ctypes.cast(array, ctypes.c_void_p))
    return prefixes


def _remove_file_systems(library: ctypes.CDLL) -> None:
    for prefix in _prefixes(library):
        if prefix not in KEPT_FILE_SYSTEMS:
            library.VSIRemovePluginHandler(prefix.encode())


def _refuse_http(library: ctypes.CDLL) -> None:
    """Every CPLHTTPFetch answers with an error result allocated by GDAL, which frees it. A
    NULL answer would not do: GDAL would then go on to its own curl client."""

    @_FETCH_CALLBACK
    def refuse(url, options, progress, progress_argument, write, write_argument, user_data):
        logger.warning("GDAL network access refused: %s", (url or b"").decode(errors="replace"))
        address = library.CPLCalloc(1, ctypes.sizeof(_HTTPResult))
        result = _HTTPResult.from_address(address)
        result.nStatus = 1
        result.pszErrBuf = library.CPLStrdup(b"network access is disabled in this application")
        return address

    _keep_alive.append(refuse)
    library.CPLHTTPSetFetchCallback(refuse, None)


def _osr_network_off(library: ctypes.CDLL) -> None:
    library.OSRSetPROJEnableNetwork(0)

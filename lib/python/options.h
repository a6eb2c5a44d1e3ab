// Keyword arguments to lsmkv::Options, for lsmkv.DB(...) and the module's
// destroy_db/repair_db.
#ifndef LSMKV_PYTHON_OPTIONS_H_
#define LSMKV_PYTHON_OPTIONS_H_

#include <pybind11/pybind11.h>

#include "lsmkv/options.h"

namespace lsmkv::python {

// Sets the Options field named by each keyword (create_if_missing,
// write_buffer_size, compression="lz4"|"zstd"|"none", ...). TypeError for an
// unknown name or a value of the wrong type; ValueError for an unknown
// compression. Range checks are DB::Open's (InvalidArgumentError).
void ApplyOptions(const pybind11::kwargs& kwargs, Options* options);

// The names ApplyOptions accepts, for the docstring.
const char* OptionNames();

}  // namespace lsmkv::python

#endif  // LSMKV_PYTHON_OPTIONS_H_

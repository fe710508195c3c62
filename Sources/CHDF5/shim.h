#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H
#include <hdf5.h>

/* HDF5's type and property-class "constants" are macros that expand to a comma expression
   (`H5OPEN H5T_NATIVE_FLOAT_g`), which Swift cannot import; these inline functions wrap them. */
static inline hid_t chdf5_native_float(void)  { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int32(void)  { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t chdf5_native_int64(void)  { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t chdf5_native_uint8(void)  { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_native_int8(void)   { return H5T_NATIVE_INT8; }
static inline hid_t chdf5_ieee_f32le(void)    { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_ieee_f64le(void)    { return H5T_IEEE_F64LE; }
static inline hid_t chdf5_std_i64le(void)     { return H5T_STD_I64LE; }
static inline hid_t chdf5_std_u64le(void)     { return H5T_STD_U64LE; }
static inline hid_t chdf5_std_i32le(void)     { return H5T_STD_I32LE; }
static inline hid_t chdf5_std_u8le(void)      { return H5T_STD_U8LE; }
static inline hid_t chdf5_c_s1(void)          { return H5T_C_S1; }
static inline hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_p_file_access(void)    { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_p_file_create(void)    { return H5P_FILE_CREATE; }
static inline hid_t chdf5_p_link_create(void)    { return H5P_LINK_CREATE; }
static inline hid_t chdf5_p_group_create(void)   { return H5P_GROUP_CREATE; }
static inline hid_t chdf5_p_attribute_create(void) { return H5P_ATTRIBUTE_CREATE; }
static inline hid_t chdf5_p_dataset_xfer(void)   { return H5P_DATASET_XFER; }

/* H5F_ACC_* are (H5CHECK H5OPEN 0x000Nu): not importable either. */
static const unsigned CHDF5_ACC_RDONLY = 0x0000u;
static const unsigned CHDF5_ACC_RDWR   = 0x0001u;
static const unsigned CHDF5_ACC_TRUNC  = 0x0002u;
static const unsigned CHDF5_ACC_EXCL   = 0x0004u;

/* H5F_OBJ_* object-kind flags for H5Fget_obj_count (H5F_OBJ_ALL is also the "every file" id). */
static const unsigned CHDF5_OBJ_FILE = H5F_OBJ_FILE;
static const unsigned CHDF5_OBJ_ALL  = H5F_OBJ_ALL;

static const hsize_t CHDF5_UNLIMITED = H5S_UNLIMITED;
/* `(size_t)-1` overflows Swift's Int importer as a constant; a function works. */
static inline size_t chdf5_variable(void) { return H5T_VARIABLE; }
#endif

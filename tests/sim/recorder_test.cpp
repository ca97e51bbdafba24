#include <doctest/doctest.h>
#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "sim/recorder.hpp"

namespace fs = std::filesystem;
using namespace sim::literals;

namespace {

fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("simfabric-recorder-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

double read_double_attribute(hid_t object, const char* name) {
  double value = 0;
  hid_t attr = H5Aopen(object, name, H5P_DEFAULT);
  REQUIRE(attr >= 0);
  H5Aread(attr, H5T_NATIVE_DOUBLE, &value);
  H5Aclose(attr);
  return value;
}

std::uint64_t read_u64_attribute(hid_t object, const char* name) {
  std::uint64_t value = 0;
  hid_t attr = H5Aopen(object, name, H5P_DEFAULT);
  REQUIRE(attr >= 0);
  H5Aread(attr, H5T_NATIVE_UINT64, &value);
  H5Aclose(attr);
  return value;
}

}  // namespace

TEST_CASE("recorder round trip: stats, tables and run attributes") {
  const fs::path path = temp_dir() / "roundtrip.h5";
  fs::remove(path);
  {
    sim::Recorder rec(path, {42, "kind = \"mm1\"", "test.toml"});
    sim::Tally wait("s");
    for (double x : {1.0, 2.0, 3.0}) wait.add(x);
    rec.write("wait", wait);
    sim::TimeSeries util("fraction");
    util.add(1_us, 0.25);
    util.add(2_us, 0.75);
    rec.write("link/util", util);
    const std::vector<double> column{1.5, 2.5, 3.5};
    rec.write_column("flows", "bytes", column, "B");
    rec.summary("completion_time_s", 1.25, "s");
    CHECK_FALSE(fs::exists(path));  // nothing under the final name before commit
    rec.commit();
  }
  REQUIRE(fs::exists(path));

  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  CHECK(read_u64_attribute(file, "seed") == 42);
  CHECK(read_u64_attribute(file, "complete") == 1);
  hid_t wait = H5Gopen2(file, "/stats/wait", H5P_DEFAULT);
  CHECK(read_double_attribute(wait, "mean") == doctest::Approx(2.0));
  CHECK(read_double_attribute(wait, "variance") == doctest::Approx(1.0));
  CHECK(read_u64_attribute(wait, "count") == 3);
  H5Gclose(wait);

  hid_t set = H5Dopen2(file, "/tables/flows/bytes", H5P_DEFAULT);
  REQUIRE(set >= 0);
  std::vector<double> back(3);
  H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data());
  CHECK(back == std::vector<double>{1.5, 2.5, 3.5});
  H5Dclose(set);

  hid_t times = H5Dopen2(file, "/stats/link/util/time", H5P_DEFAULT);
  std::vector<double> t(2);
  H5Dread(times, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data());
  CHECK(t[1] == doctest::Approx(2e-6));
  H5Dclose(times);

  hid_t summary = H5Gopen2(file, "/summary", H5P_DEFAULT);
  CHECK(read_double_attribute(summary, "completion_time_s") == doctest::Approx(1.25));
  H5Gclose(summary);
  H5Fclose(file);
  fs::remove(path);
}

TEST_CASE("a run that fails before commit leaves no file behind") {
  const fs::path dir = temp_dir();
  const fs::path path = dir / "failed.h5";
  fs::remove(path);
  try {
    sim::Recorder rec(path, {1, "", ""});
    rec.write("x", sim::Counter());
    throw std::runtime_error("model crashed");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(fs::exists(path));
  for (const auto& entry : fs::directory_iterator(dir)) {
    CHECK(entry.path().filename().string().find("failed.h5") == std::string::npos);
  }
}

TEST_CASE("recorder names the missing directory") {
  // A path that cannot be written is bad input (exit 2), not a failure of the run.
  CHECK_THROWS_WITH_AS(sim::Recorder("/nonexistent-dir/out.h5", {}), doctest::Contains("/nonexistent-dir"),
                       sim::OutputFileError);
}

TEST_CASE("recorder writes through a symbolic link and refuses what is not a regular file") {
  const fs::path dir = temp_dir() / "links";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::create_symlink("target.h5", dir / "link.h5");
  {
    sim::Recorder rec(dir / "link.h5", {3, "", ""});
    rec.write("n", sim::Counter());
    rec.commit();
  }
  CHECK(fs::is_symlink(dir / "link.h5"));  // still a link, to the file just written
  REQUIRE(fs::is_regular_file(dir / "target.h5"));
  hid_t file = H5Fopen((dir / "target.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  CHECK(read_u64_attribute(file, "seed") == 3);
  H5Fclose(file);

  CHECK_THROWS_WITH_AS(sim::Recorder(dir, {}), doctest::Contains("is a directory"), sim::OutputFileError);
  CHECK_THROWS_WITH_AS(sim::Recorder("/dev/null", {}), doctest::Contains("character device"), sim::OutputFileError);
  fs::remove_all(dir);
}

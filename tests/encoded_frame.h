// tests/encoded_frame.h — the frame of a pcap::FrameSpec, for tests that write or decode
// packets. A spec the encoder refuses fails the calling test with the encoder's message and
// reads as an empty frame.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "pcap/encode.h"

namespace pfsim::test_support {

inline std::vector<std::uint8_t> encoded_frame(const pcap::FrameSpec& spec) {
  std::vector<std::uint8_t> out;
  auto frame = pcap::append_frame(spec, out);
  EXPECT_TRUE(frame.ok()) << (frame.ok() ? "" : frame.error().to_string());
  return out;
}

}  // namespace pfsim::test_support

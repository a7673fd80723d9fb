// Tests of fake/token_refresh.hpp's form decoder: the url-encoded body the Java client sends.
#include <gtest/gtest.h>

#include <roambi/jobs/fake/token_refresh.hpp>

namespace {

using roambi::jobs::fake::decode_form;
using roambi::jobs::fake::url_decode;

TEST(FakeTokenRefreshTest, UrlDecodeReadsPlusAndPercentEscapes) {
  EXPECT_EQ(url_decode("a+b%20c%2Bd"), "a b c+d");
  EXPECT_EQ(url_decode("%zz%4"), "%zz%4");  // malformed escapes stay as they are
  EXPECT_EQ(url_decode(""), "");
}

TEST(FakeTokenRefreshTest, DecodeFormReadsEveryPairAndSkipsThoseWithoutAnEqualsSign) {
  auto f = decode_form("grant_type=refresh_token&client%5Fid=c+1&flag&empty=");
  EXPECT_EQ(f.size(), 3u);
  EXPECT_EQ(f["grant_type"], "refresh_token");
  EXPECT_EQ(f["client_id"], "c 1");
  EXPECT_EQ(f["empty"], "");
  EXPECT_EQ(f.count("flag"), 0u);
}

TEST(FakeTokenRefreshTest, ALaterFieldOfANameReplacesAnEarlierOne) {
  EXPECT_EQ(decode_form("a=1&a=2")["a"], "2");
  EXPECT_TRUE(decode_form("").empty());
  EXPECT_TRUE(decode_form("&&").empty());
}

}  // namespace

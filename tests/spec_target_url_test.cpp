// The one target-URL parser of the suite, its proxy and the load tool: scheme, host, IPv6, port, base path,
// trailing slashes, and a clear error for anything that is not a base URL.
#include <string>

#include <gtest/gtest.h>

#include <roambi/jobs/target_url.hpp>

namespace {

using roambi::jobs::TargetUrl;

TEST(SpecTargetUrlTest, SplitsTheDocumentedBaseUrl) {
  auto t = TargetUrl::parse("https://api.roambi.com/1");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->https);
  EXPECT_EQ(t->origin, "https://api.roambi.com");
  EXPECT_EQ(t->prefix, "");
  EXPECT_EQ(t->host, "api.roambi.com");
  EXPECT_EQ(t->port, "443");
  EXPECT_EQ(t->url, "https://api.roambi.com/1");
  EXPECT_EQ(t->path("/1/jobs/x"), "/1/jobs/x");
}

TEST(SpecTargetUrlTest, KeepsPortAndBasePath) {
  auto t = TargetUrl::parse("http://10.0.0.1:8080/roambi/api/1");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->https);
  EXPECT_EQ(t->origin, "http://10.0.0.1:8080");
  EXPECT_EQ(t->host, "10.0.0.1");
  EXPECT_EQ(t->port, "8080");
  EXPECT_EQ(t->prefix, "/roambi/api");
  EXPECT_EQ(t->path("/1/jobs/x"), "/roambi/api/1/jobs/x");
  auto plain = TargetUrl::parse("http://localhost/1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, "80");
}

TEST(SpecTargetUrlTest, DropsTrailingSlashes) {
  for (const char* url : {"http://h:1/api/1/", "http://h:1/api/1//"}) {
    auto t = TargetUrl::parse(url);
    ASSERT_TRUE(t) << url;
    EXPECT_EQ(t->url, "http://h:1/api/1") << url;
    EXPECT_EQ(t->prefix, "/api") << url;
  }
}

TEST(SpecTargetUrlTest, ReadsIpv6LiteralsInBrackets) {
  auto t = TargetUrl::parse("http://[::1]:8080/1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->origin, "http://[::1]:8080");
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, "8080");
  auto no_port = TargetUrl::parse("https://[2001:db8::7]/x/1");
  ASSERT_TRUE(no_port);
  EXPECT_EQ(no_port->host, "2001:db8::7");
  EXPECT_EQ(no_port->port, "443");
  EXPECT_EQ(no_port->prefix, "/x");
}

TEST(SpecTargetUrlTest, SchemeIsCaseInsensitiveAndWrittenLowercase) {
  auto t = TargetUrl::parse("HTTP://h/1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->origin, "http://h");
}

TEST(SpecTargetUrlTest, RejectsWhatIsNotABaseUrlAndSaysWhy) {
  struct Case {
    const char* url;
    const char* why;
  };
  for (const Case& c : {Case{"ftp://example.com/1", "scheme must be http or https"},
                        Case{"example.com/1", "scheme must be http or https"},
                        Case{"http://", "no host"},
                        Case{"http:///1", "no host"},
                        Case{"http://:8080/1", "no host"},
                        Case{"http://user@example.com/1", "no host"},
                        Case{"http://example.com", "must end in the API version /1"},
                        Case{"http://example.com/2", "must end in the API version /1"},
                        Case{"http://example.com/x1", "must end in the API version /1"},
                        Case{"http://example.com:http/1", "port is not a number"},
                        Case{"http://example.com:/1", "port is not a number"},
                        Case{"http://example.com:123456/1", "port is not a number"},
                        Case{"http://example.com:0/1", "port is not in 1..65535"},
                        Case{"http://example.com:65536/1", "port is not in 1..65535"},
                        Case{"http://example.com/1?x=1", "query or fragment"},
                        Case{"http://example.com/1#top", "query or fragment"},
                        Case{"http://::1/1", "IPv6 host goes in brackets"},
                        Case{"http://[::1/1", "closing ]"},
                        Case{"http://[::1]x/1", "only a port may follow"},
                        Case{"http://[zz]/1", "not an address"},
                        Case{"http://h/a b/1", "space or control character"},
                        Case{"http://h/1\r\nX: y", "space or control character"}}) {
    std::string why;
    EXPECT_FALSE(TargetUrl::parse(c.url, &why)) << c.url;
    EXPECT_NE(why.find(c.why), std::string::npos) << c.url << ": " << why;
    EXPECT_NE(why.find("expected a base URL with the version"), std::string::npos) << why;
  }
}

}  // namespace

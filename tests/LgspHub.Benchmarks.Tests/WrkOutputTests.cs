using LgspHub.Benchmarks.Gateway;

namespace LgspHub.Benchmarks.Tests;

public class WrkOutputTests
{
    private const string Report = """
        Running 2s test @ http://127.0.0.1:5103/api/land/parcels/20815/6/2313
          2 threads and 32 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     6.51ms    3.22ms  40.10ms   80.00%
            Req/Sec     2.50k   300.00     3.00k    70.00%
          Latency Distribution
             50%    5.90ms
             75%    7.50ms
             90%   10.00ms
             99%   18.25ms
          9981 requests in 2.00s, 5.00MB read
        Requests/sec:   4990.12
        Transfer/sec:      2.50MB
        """;

    [Fact]
    public void A_report_gives_requests_per_second_and_the_99th_percentile_in_ms()
    {
        var output = WrkOutput.Parse(Report);

        Assert.Equal(4990.12, output.RequestsPerSecond);
        Assert.Equal(18.25, output.P99Ms);
        Assert.Equal(0, output.Non2xx);
        Assert.Null(output.SocketErrors);
    }

    [Theory]
    [InlineData("99%  850.00us", 0.85)]
    [InlineData("99%    1.20s", 1200)]
    [InlineData("99%    2.00m", 120_000)]
    public void The_99th_percentile_is_converted_to_ms_whatever_unit_wrk_chose(string line, double ms)
    {
        var output = WrkOutput.Parse(Report.Replace("99%   18.25ms", line, StringComparison.Ordinal));

        Assert.Equal(ms, output.P99Ms, 6);
    }

    [Fact]
    public void Answers_that_were_not_2xx_and_socket_errors_are_read_when_wrk_prints_them()
    {
        var output = WrkOutput.Parse(Report.Replace("Requests/sec:",
            "  Socket errors: connect 0, read 2, write 0, timeout 5\n  Non-2xx or 3xx responses: 17\nRequests/sec:", StringComparison.Ordinal));

        Assert.Equal(17, output.Non2xx);
        Assert.Equal("Socket errors: connect 0, read 2, write 0, timeout 5", output.SocketErrors);
    }

    [Fact]
    public void A_run_that_measured_nothing_is_refused_with_what_wrk_printed()
    {
        var e = Assert.Throws<FormatException>(() => WrkOutput.Parse("unable to connect to 127.0.0.1:5181 Connection refused"));

        Assert.Contains("wrk measured nothing", e.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", e.Message, StringComparison.Ordinal);
    }
}

using LgspHub.Cli.Machine;
using LgspHub.Cli.Operations;

namespace LgspHub.Cli.Tests;

/// <summary><c>./lgsp faults &lt;agency&gt; …</c>: what it sends the agency's /admin/faults, and what it refuses before sending anything.</summary>
public sealed class FaultChangeTests
{
    [Fact]
    public void No_setting_shows_the_faults_and_off_clears_them()
    {
        Assert.Equal(new FaultChange(HttpMethod.Get, null), FaultChange.Parse([]));
        Assert.Equal(new FaultChange(HttpMethod.Delete, null), FaultChange.Parse(["off"]));
    }

    [Fact]
    public void Settings_become_a_partial_FaultSettings_with_the_latency_nested()
    {
        var change = FaultChange.Parse(["errorRate=.5", "outage=true", "latency.distribution=uniform", "latency.minMs=10", "latency.maxMs=200", "consumerFailureRate=1."]);

        Assert.Equal(HttpMethod.Put, change.Method);
        Assert.Equal("""{"errorRate":0.5,"outage":true,"consumerFailureRate":1,"latency":{"distribution":"uniform","minMs":10,"maxMs":200}}""",
            change.Body!.ToJsonString());
    }

    [Theory]
    [InlineData("0.002", "expected key=value or off")]
    [InlineData("errorRate=2", "a share from 0 to 1")]
    [InlineData("errorRate=-0.1", "a share from 0 to 1")]
    [InlineData("errorRate=1e-3", "a share from 0 to 1")]
    [InlineData("outage=yes", "outage is true or false")]
    [InlineData("latency.distribution=normal", "fixed, uniform or exponential")]
    [InlineData("latency.maxMs=60001", "whole milliseconds")]
    [InlineData("latency.meanMs=1.5", "whole milliseconds")]
    [InlineData("errorrate=0.1", "unknown setting: errorrate")]
    public void A_setting_it_cannot_send_is_a_usage_error(string setting, string problem)
    {
        var refused = Assert.Throws<UsageException>(() => FaultChange.Parse([setting]));

        Assert.Contains(problem, refused.Message, StringComparison.Ordinal);
    }
}

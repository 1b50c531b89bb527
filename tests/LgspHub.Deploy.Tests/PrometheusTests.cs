using System.Text.Json;
using System.Text.RegularExpressions;

namespace LgspHub.Deploy.Tests;

public partial class PrometheusTests
{
    private static readonly string Deploy = Repo.PathOf("deploy");

    [Fact]
    public async Task The_scrape_configuration_is_valid_for_promtool()
    {
        var (exitCode, output) = await PromtoolAsync("check", "config", "prometheus.yml");

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_burn_rate_alerts_pass_their_unit_tests_against_constructed_series()
    {
        var (exitCode, output) = await PromtoolAsync("test", "rules", "lgsp-slo.rules.test.yml");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void The_grafana_dashboard_queries_only_the_hub_s_metrics_and_rules()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Deploy, "grafana", "lgsp-dashboard.json")));
        var rules = File.ReadAllText(Path.Combine(Deploy, "prometheus", "lgsp-slo.rules.yml"));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();

        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var expression in panels.SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!))
        {
            var names = MetricName().Matches(expression).Select(m => m.Value).ToList();
            Assert.NotEmpty(names);
            Assert.All(names, name => Assert.True(
                name.StartsWith("lgsp_transaction", StringComparison.Ordinal) || rules.Contains($"record: {name}", StringComparison.Ordinal),
                $"{name} in \"{expression}\" is neither a hub metric nor a recording rule"));
        }
    }

    [GeneratedRegex(@"\blgsp[_:][a-z0-9_:]+")]
    private static partial Regex MetricName();

    private static Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments) =>
        Repo.RunAsync("promtool", Path.Combine(Deploy, "prometheus"), TimeSpan.FromSeconds(60), arguments);
}

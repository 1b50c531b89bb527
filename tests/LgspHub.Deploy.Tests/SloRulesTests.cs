using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LgspHub.Contracts;
using LgspHub.Gateway.Operations;
using LgspHub.Gateway.Requests;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace LgspHub.Deploy.Tests;

/// <summary>
/// The alert rules, their promtool tests and the dashboard against the gateway's own SLO (Operations/Slo.cs) at the
/// configured objective (Lgsp:Ops:Objective), so that neither side can change without the other: each expected rule is
/// rendered here from the code and compared with the file.
/// </summary>
public sealed partial class SloRulesTests
{
    private static readonly YamlMappingNode Rules = Yaml.LoadAll(Repo.PathOf("deploy", "prometheus", "lgsp-slo.rules.yml")).Single();
    private static readonly double Objective = ConfiguredObjective();
    private static readonly string Budget = Number(1 - Objective);

    [Fact]
    public void Every_deployment_runs_the_gateway_at_the_objective_its_configuration_gives()
    {
        var deployed = ComposeFile.Hub.InstancesOf("gateway").Concat(KubernetesManifests.Hub.Instances.Where(i => i.Host.IsGateway)).ToList();

        Assert.NotEmpty(deployed);
        Assert.All(deployed, gateway =>
        {
            if (gateway.Environment.TryGetValue(ObjectiveVariable, out var value))
                Assert.Equal(Objective, double.Parse(value, CultureInfo.InvariantCulture));
        });
    }

    [Fact]
    public void Each_burn_rate_alert_is_the_gateway_s_rule_at_the_configured_objective()
    {
        var alerts = Group("lgsp-slo-alerts");

        Assert.Equal(Slo.Rules.Select(AlertName), alerts.Select(a => a.Text("alert")));
        foreach (var rule in Slo.Rules)
        {
            var alert = alerts.Single(a => a.Text("alert") == AlertName(rule));
            var threshold = $"({Number(rule.Factor)} * {Budget})";
            Assert.Equal($"{Ratio(rule.LongWindow)} >= {threshold} and {Ratio(rule.ShortWindow)} >= {threshold}", alert.Text("expr"));
            Assert.Equal(rule.Severity, alert.Text("labels", "severity"));
            Assert.Equal($"{Duration(rule.LongWindow)}/{Duration(rule.ShortWindow)}", alert.Text("labels", "window"));
            Assert.Null(alert.Get("for"));
            Assert.Equal(Summary(rule), alert.Text("annotations", "summary"));
        }
    }

    [Fact]
    public void Each_window_of_the_alerts_has_its_failed_ratio_recorded_as_the_gateway_counts_it()
    {
        var windows = Slo.Rules.SelectMany(r => new[] { r.LongWindow, r.ShortWindow }).Distinct().Order().ToList();
        var records = Group("lgsp-slo-ratios");

        Assert.Equal(windows.Select(Ratio), records.Select(r => r.Text("record")));
        foreach (var window in windows)
        {
            // The success rate is succeeded over succeeded and failed (OutcomeCounts.SuccessRate) of the agencies'
            // operations: refusals and abandoned requests spend no budget, and the hub's own operations are not in it.
            var range = Duration(window);
            var agencies = $"service!=\"{Operation.HubService}\"";
            Assert.Equal(
                $"sum(rate(lgsp_transactions_total{{{agencies},outcome=\"{Outcome.Failed}\"}}[{range}])) / sum(rate(lgsp_transactions_total{{{agencies},outcome=~\"{Outcome.Succeeded}|{Outcome.Failed}\"}}[{range}]))",
                records.Single(r => r.Text("record") == Ratio(window)).Text("expr"));
        }
    }

    [Fact]
    public void The_not_reporting_alert_watches_the_job_that_scrapes_the_gateway_in_every_prometheus_configuration()
    {
        var alert = Group("lgsp-scrape-alerts").Single(a => a.Text("alert") == "LgspGatewayNotReporting");
        var job = AbsentJob().Match(alert.Text("expr")!);

        Assert.True(job.Success, alert.Text("expr"));
        // It waits as long as the burn-rate alerts' shortest window: no longer is that window without data unnoticed.
        Assert.Equal(Duration(Slo.Rules.Min(r => r.ShortWindow)), alert.Text("for"));
        foreach (var (file, gateway) in new[] { (Repo.PathOf("deploy", "prometheus", "prometheus.yml"), "127.0.0.1:5080"), (Repo.PathOf("deploy", "compose", "prometheus.yml"), "gateway:5080") })
        {
            var scrapes = Yaml.LoadAll(file).Single().List("scrape_configs")
                .Where(s => s.List("static_configs").SelectMany(c => c.Texts("targets")).Contains(gateway)).ToList();
            Assert.Equal([job.Groups[1].Value], scrapes.Select(s => s.Text("job_name")));
        }
    }

    [Fact]
    public void Every_alert_has_a_promtool_test_that_raises_it_and_one_that_keeps_it_quiet()
    {
        var tests = Yaml.LoadAll(Repo.PathOf("deploy", "prometheus", "lgsp-slo.rules.test.yml")).Single().List("tests")
            .SelectMany(t => t.List("alert_rule_test")).ToList();
        var alerts = Rules.List("groups").SelectMany(g => g.List("rules")).Select(r => r.Text("alert")).OfType<string>().ToList();

        Assert.NotEmpty(alerts);
        Assert.All(alerts, alert =>
        {
            var mine = tests.Where(t => t.Text("alertname") == alert).ToList();
            Assert.True(mine.Any(t => t.List("exp_alerts").Count > 0), $"{alert} raised in a test");
            Assert.True(mine.Any(t => t.List("exp_alerts").Count == 0), $"{alert} quiet in a test");
        });
    }

    [Fact]
    public void The_grafana_dashboard_states_the_configured_objective_and_its_budget()
    {
        using var dashboard = JsonDocument.Parse(Repo.Read("deploy", "grafana", "lgsp-dashboard.json"));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        var fast = Slo.Rules.MaxBy(r => r.Factor)!;
        var success = panels.Single(p => p.GetProperty("title").GetString()!.StartsWith("Success rate (", StringComparison.Ordinal));
        var burn = panels.Single(p => p.GetProperty("title").GetString()!.StartsWith("Error budget burn", StringComparison.Ordinal));

        Assert.Contains(Percent(Objective), dashboard.RootElement.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains(Objective, Steps(success));
        Assert.Equal($"{Ratio(TimeSpan.FromHours(1))} / {Budget}", burn.GetProperty("targets")[0].GetProperty("expr").GetString());
        Assert.Contains(fast.Factor, Steps(burn));

        static IEnumerable<double> Steps(JsonElement panel) =>
            panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("thresholds").GetProperty("steps").EnumerateArray()
                .Select(s => s.GetProperty("value")).Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble());
    }

    private const string ObjectiveVariable = "Lgsp__Ops__Objective";

    /// <summary>The objective the gateway runs with: its appsettings.json bound over <see cref="OpsOptions"/>' default.</summary>
    private static double ConfiguredObjective()
    {
        var options = new OpsOptions();
        new ConfigurationBuilder().AddJsonFile(Repo.PathOf("gateway", "LgspHub.Gateway", "appsettings.json")).Build()
            .GetSection(OpsOptions.Section).Bind(options);
        return options.Objective;
    }

    /// <summary>"At that rate" the share of the whole budget the long window spends: the factor times the window over the period.</summary>
    private static string Summary(BurnRateRule rule) =>
        $"Failed transactions spend the {Percent(Objective)} objective's error budget at {Number(rule.Factor)}x the rate it allows, "
        + $"over both the last {Duration(rule.LongWindow)} and {Duration(rule.ShortWindow)}; at that rate "
        + $"{Number(Math.Round(100 * rule.Factor * (rule.LongWindow / Slo.BudgetPeriod), 1))} % of the {Slo.BudgetPeriod.TotalDays:0.#}-day budget goes in {Duration(rule.LongWindow)}.";

    private static IReadOnlyList<YamlNode> Group(string name) =>
        Rules.List("groups").Single(g => g.Text("name") == name).List("rules");

    private static string AlertName(BurnRateRule rule) =>
        "Lgsp" + string.Concat(rule.Name.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static string Ratio(TimeSpan window) => $"lgsp:transactions_failed:ratio_rate{Duration(window)}";

    /// <summary>A window as Prometheus writes durations: 5m, 1h, 3d.</summary>
    private static string Duration(TimeSpan window) =>
        window.TotalDays >= 1 && window.TotalDays % 1 == 0 ? $"{window.TotalDays:0}d"
        : window.TotalHours >= 1 && window.TotalHours % 1 == 0 ? $"{window.TotalHours:0}h"
        : $"{window.TotalMinutes:0}m";

    // 1 - 0.998 is 0.0020000000000000018 in binary: the rules write the decimal.
    private static string Number(double value) => Math.Round(value, 9).ToString("0.#########", CultureInfo.InvariantCulture);

    private static string Percent(double share) => $"{Number(share * 100)} %";

    [GeneratedRegex("""^absent\(up\{job="([^"]+)"\} == 1\)$""")]
    private static partial Regex AbsentJob();
}

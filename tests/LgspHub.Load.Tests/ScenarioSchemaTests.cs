using System.Text.Json;
using Json.Schema;
using LgspHub.Load.Flows;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Tests;

/// <summary>The committed JSON Schema of scenario files (tools/LgspHub.Load/scenario.schema.json) and the tool agree.</summary>
public class ScenarioSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "scenario.schema.json"));
    private static readonly JsonDocumentOptions Comments = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Every failed keyword, as "where: why" (where is a JSON Pointer into the file).</summary>
    private static List<string> SchemaProblems(string json)
    {
        using var document = JsonDocument.Parse(json, Comments);
        var problems = new List<string>();
        Collect(Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical }), problems);
        return problems;
    }

    // Only down failed branches: a passing anyOf's other branch failed too, and says nothing about the file.
    private static void Collect(EvaluationResults results, List<string> problems)
    {
        if (results.IsValid)
            return;
        foreach (var (_, message) in results.Errors ?? new Dictionary<string, string>())
            problems.Add($"{results.InstanceLocation}: {message}");
        foreach (var detail in results.Details ?? [])
            Collect(detail, problems);
        if (results.Errors is not { Count: > 0 } && !(results.Details ?? []).Any(d => !d.IsValid))
            problems.Add($"{results.InstanceLocation}: fails {results.EvaluationPath}");   // a keyword with no message of its own
    }

    public static TheoryData<string> CommittedScenarios() => [.. ScenarioFile.Shipped()];

    [Theory]
    [MemberData(nameof(CommittedScenarios))]
    public void Every_committed_scenario_validates_against_the_schema(string name)
    {
        var json = File.ReadAllText(Path.Combine(ScenarioFile.ShippedFolder, name + ".json"));

        Assert.Empty(SchemaProblems(json));
        Assert.Equal("../scenario.schema.json", JsonDocument.Parse(json).RootElement.GetProperty("$schema").GetString());
    }

    [Fact]
    public void The_schema_is_checked_against_all_seven_shipped_scenarios()
    {
        Assert.Equal(7, CommittedScenarios().Count);
    }

    [Fact]
    public void A_scenario_with_checks_sequences_and_live_thresholds_is_valid_to_both()
    {
        const string json = """
            {
              "name": "everything",
              "consumers": { "land": { "clientId": "land.x", "secretFromEnvironment": "HOME" } },
              "stages": [ { "duration": "10s", "rate": 5 }, { "duration": "1m30s", "rampTo": 10 } ],
              "checks": [ { "operation": "land.read-parcel", "status": 200, "field": "ownerPersonalId" } ],
              "sequences": {
                "owner-parcels": {
                  "description": "A parcel's owner, then all the owner's parcels",
                  "steps": [
                    { "name": "land.read-parcel", "method": "GET", "path": "/api/land/parcels/{{parcel.communeCode}}/{{parcel.mapSheet}}/{{parcel.parcelNumber}}",
                      "extract": { "owner": "ownerPersonalId" } },
                    { "name": "land.parcels-of-owner", "path": "/api/land/owners/{{owner}}/parcels", "headers": { "X-Lgsp-Officer": "vpdk-02" },
                      "checks": [ { "field": "[0].ownerPersonalId" }, { "status": 200, "field": "$[0].awaitingInheritance", "equals": false } ] }
                  ]
                }
              },
              "mix": [ { "flow": "read-parcel", "consumer": "land", "weight": 3 }, { "sequence": "owner-parcels", "consumer": "land", "weight": 1 } ],
              "thresholds": [
                { "metric": "checks", "min": 99.9, "window": "30s", "abortOnFail": true, "delayAbortEval": "10s" },
                { "metric": "checks-failed", "operation": "land.parcels-of-owner", "max": 0 },
                { "metric": "p99", "max": 500, "window": "10s" },
                { "metric": "abandoned", "max": 0, "abortOnFail": true }
              ]
            }
            """;

        Assert.Empty(SchemaProblems(json));
        var scenario = ScenarioFile.Parse(json);
        Assert.Equal(2, scenario.Sequences["owner-parcels"].Steps.Count);
        Assert.Equal(TimeSpan.FromSeconds(30), scenario.Thresholds[0].Window);
    }

    [Theory]
    [InlineData("""{ "name": "x", "consumers": { "c": { "clientId": "a", "secret": "s" } }, "stages": [ { "duration": "5s", "rate": 1 } ], "mix": [ { "flow": "fly", "consumer": "c", "weight": 1 } ] }""",
        "/mix/0/flow", "mix[0].flow: unknown flow 'fly'")]
    [InlineData("""{ "name": "x", "consumers": { "c": { "clientId": "a", "secret": "s" } }, "stages": [ { "duration": "5 s", "rate": 1 } ], "mix": [ { "flow": "read-parcel", "consumer": "c", "weight": 1 } ] }""",
        "/stages/0/duration", "stages[0].duration: a duration")]
    [InlineData("""{ "name": "x", "consumers": { "c": { "clientId": "a", "secret": "s" } }, "stages": [ { "duration": "5s", "rate": 1 } ], "mix": [ { "flow": "read-parcel", "consumer": "c", "weight": 1 } ], "checks": [ { "name": "nothing" } ] }""",
        "/checks/0", "checks[0]: give status, field, or both")]
    [InlineData("""{ "name": "x", "consumers": { "c": { "clientId": "a", "secret": "s" } }, "stages": [ { "duration": "5s", "rate": 1 } ], "mix": [ { "flow": "read-parcel", "consumer": "c", "weight": 1 } ], "thresholds": [ { "metric": "p99", "max": 100, "delayAbortEval": "5s" } ] }""",
        "/thresholds/0", "thresholds[0].delayAbortEval: only with abortOnFail")]
    [InlineData("""{ "name": "x", "consumers": { "c": { "clientId": "a", "secret": "s" } }, "stages": [ { "duration": "5s", "rate": 1 } ], "mix": [ { "sequence": "s", "consumer": "c", "weight": 1 } ], "sequences": { "s": { "steps": [ { "path": "/x", "checks": [ { "operation": "o", "status": 200 } ] } ] } } }""",
        "/sequences/s/steps/0/checks/0/operation", "sequences.s.steps[0].checks[0].operation: a step's checks are on that step's answers")]
    [InlineData("""{ "name": "x", "consumers": { "c": { "clientId": "a", "secret": "s" } }, "stages": [ { "duration": "5s", "rate": 1 } ], "mix": [ { "flow": "read-parcel", "consumer": "c", "weight": 1 } ], "stagse": [] }""",
        "/stagse", "not valid scenario JSON (line 1")]
    public void A_bad_scenario_is_refused_by_the_schema_and_the_tool_with_where_and_why(string json, string schemaLocation, string toolProblem)
    {
        var problems = SchemaProblems(json);
        var error = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(json, "bad.json"));

        Assert.Contains(problems, p => p.StartsWith(schemaLocation + ": ", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith(toolProblem, StringComparison.Ordinal));
    }

    [Fact]
    public void The_schema_knows_the_flows_metrics_and_agencies_the_tool_knows()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenario.schema.json")));
        var defs = schema.RootElement.GetProperty("$defs");
        List<string> Enum(string def, string property) =>
            defs.GetProperty(def).GetProperty("properties").GetProperty(property).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(FlowNames.All.Order(StringComparer.Ordinal), Enum("mixEntry", "flow"));
        Assert.Equal(ScenarioFile.MetricNames.Order(StringComparer.Ordinal), Enum("threshold", "metric"));
        Assert.Equal(LgspHub.Contracts.HubAgencies.All.Order(StringComparer.Ordinal), Enum("event", "agency"));
    }
}

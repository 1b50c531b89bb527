using System.Text.Json;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Tests;

[Collection(TimedRuns.Name)]
public class ChecksAndSequencesTests
{
    private const string Consumers = """
        "consumers": { "hospital": { "clientId": "hospital.x", "secret": "s", "purpose": "kcb.check-in", "officer": "reception-01" } }
        """;

    [Fact]
    public async Task A_200_with_the_wrong_body_counts_as_a_success_and_a_failed_check()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Responder = _ => new FakeAnswer(200, new { matches = false });
        var scenario = ScenarioFile.Parse($$"""
            {
              "name": "checks", {{Consumers}},
              "stages": [ { "duration": "1s", "rate": 20 } ],
              "mix": [ { "flow": "verify-identity", "consumer": "hospital", "weight": 1 } ],
              "checks": [ { "operation": "population.verify-identity", "status": 200, "field": "matches", "equals": true } ],
              "thresholds": [ { "metric": "success-rate", "min": 99.8 }, { "metric": "checks", "min": 99 }, { "metric": "checks-failed", "max": 0 } ]
            }
            """);

        var result = await new LoadRunner(scenario, gateway.Url).RunAsync(null, CancellationToken.None);

        // The hub's count and the check's are apart: every answer succeeded, every check failed.
        Assert.Equal(20, result.Overall.Succeeded);
        Assert.Equal(0, result.Overall.Failed);
        Assert.Equal(20, result.Overall.ChecksFailed);
        var check = Assert.Single(result.Checks);
        Assert.Equal(("population.verify-identity", "status 200 and matches == true", 0L, 20L), (check.Operation, check.Check, check.Passed, check.Failed));
        Assert.Equal([true, false, false], result.Thresholds.Select(t => t.Passed));
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task A_check_passes_on_a_present_field_and_fails_on_another_status()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var parcel = 0;
        gateway.Responder = call => Interlocked.Increment(ref parcel) % 2 == 0
            ? new FakeAnswer(200, new { ownerPersonalId = "049123000001" })
            : new FakeAnswer(404, new { title = "not found" });
        var scenario = ScenarioFile.Parse($$"""
            {
              "name": "present", {{Consumers}},
              "stages": [ { "duration": "1s", "rate": 10 } ],
              "mix": [ { "flow": "read-parcel", "consumer": "hospital", "weight": 1 } ],
              "checks": [ { "name": "has an owner", "field": "ownerPersonalId" } ],
              "thresholds": [ { "metric": "checks", "operation": "land.read-parcel", "min": 50 } ]
            }
            """);

        var result = await new LoadRunner(scenario, gateway.Url).RunAsync(null, CancellationToken.None);

        Assert.Equal((5L, 5L), (result.Overall.ChecksPassed, result.Overall.ChecksFailed));
        Assert.Equal(100, result.Overall.SuccessRate);   // the agency's 404 is an answer
        Assert.True(result.Passed);
    }

    [Fact]
    public async Task An_extraction_chain_carries_values_from_one_answer_to_the_next_requests()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Responder = call => call.Path switch
        {
            var p when p.StartsWith("/api/land/parcels/", StringComparison.Ordinal) => new FakeAnswer(200, new { ownerPersonalId = "049 123", area = new[] { new { squareMetres = 120 } } }),
            var p when p.StartsWith("/api/population/citizens/", StringComparison.Ordinal) => new FakeAnswer(200, new { fullName = "Nguyễn Văn An" }),
            _ => new FakeAnswer(201, new { id = "t-1" }),
        };
        var scenario = ScenarioFile.Parse($$$"""
            {
              "name": "chain", {{{Consumers}}},
              "stages": [ { "duration": "1s", "rate": 3 } ],
              "sequences": {
                "owner-check": {
                  "steps": [
                    { "name": "land.read-parcel", "path": "/api/land/parcels/{{parcel.communeCode}}/{{parcel.mapSheet}}/{{parcel.parcelNumber}}",
                      "extract": { "owner": "ownerPersonalId", "area": "$.area[0].squareMetres" } },
                    { "name": "population.read-citizen", "path": "/api/population/citizens/{{owner}}", "extract": { "name": "fullName" },
                      "checks": [ { "status": 200 } ] },
                    { "name": "custom.note", "method": "POST", "path": "/api/notes",
                      "headers": { "Idempotency-Key": "{{uuid}}", "X-Lgsp-Officer": "officer-{{owner}}" },
                      "body": { "owner": "{{owner}}", "area": "{{area}}", "text": "{{name}} owns {{area}} m2", "fixed": [1, true] },
                      "checks": [ { "status": 201, "field": "id", "equals": "t-1" } ] }
                  ]
                }
              },
              "mix": [ { "sequence": "owner-check", "consumer": "hospital", "weight": 1 } ],
              "thresholds": [ { "metric": "checks", "min": 100 } ]
            }
            """);

        var result = await new LoadRunner(scenario, gateway.Url).RunAsync(null, CancellationToken.None);

        Assert.True(result.Passed, string.Join("; ", result.Checks.Select(c => $"{c.Check} {c.Passed}/{c.Failed}")));
        Assert.Equal(["custom.note", "land.read-parcel", "population.read-citizen"], result.Operations.Select(o => o.Operation));
        Assert.All(result.Operations, o => Assert.Equal(3, o.Succeeded));
        var calls = gateway.Calls.ToList();
        Assert.Equal(3, calls.Count(c => c.Path == "/api/population/citizens/049 123"));   // the extracted value (escaped on the wire, decoded here)
        var notes = calls.Where(c => c.Path == "/api/notes").ToList();
        Assert.Equal(3, notes.Count);
        using var body = JsonDocument.Parse(notes[0].Body);
        Assert.Equal("049 123", body.RootElement.GetProperty("owner").GetString());
        Assert.Equal(120, body.RootElement.GetProperty("area").GetInt32());   // a whole placeholder keeps its JSON type
        Assert.Equal("Nguyễn Văn An owns 120 m2", body.RootElement.GetProperty("text").GetString());
        Assert.Equal("[1,true]", body.RootElement.GetProperty("fixed").GetRawText());
        Assert.Equal("officer-049 123", notes[0].Headers["X-Lgsp-Officer"]);
        Assert.Equal(3, notes.Select(n => n.Headers["Idempotency-Key"]).Distinct().Count());   // a fresh UUID each arrival
        Assert.StartsWith("application/json", notes[0].Headers["Content-Type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_missing_from_an_answer_ends_the_sequence_as_a_failed_check()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Responder = _ => new FakeAnswer(200, new { somethingElse = 1 });
        var scenario = ScenarioFile.Parse($$$"""
            {
              "name": "missing", {{{Consumers}}},
              "stages": [ { "duration": "1s", "rate": 4 } ],
              "sequences": { "two-steps": { "steps": [
                { "path": "/api/first/{{citizen.personalId}}", "extract": { "id": "data.id" } },
                { "path": "/api/second/{{id}}" } ] } },
              "mix": [ { "sequence": "two-steps", "consumer": "hospital", "weight": 1 } ]
            }
            """);

        var result = await new LoadRunner(scenario, gateway.Url).RunAsync(null, CancellationToken.None);

        Assert.DoesNotContain(gateway.Calls, c => c.Path.StartsWith("/api/second/", StringComparison.Ordinal));
        var check = Assert.Single(result.Checks);
        Assert.Equal(("two-steps.1", "extract id", 0L, 4L), (check.Operation, check.Check, check.Passed, check.Failed));
    }

    [Theory]
    [InlineData("""{ "s": { "steps": [ { "path": "/api/x/{{nobody}}" } ] } }""", "sequences.s.steps[0].path: '{{nobody}}' is neither extracted by an earlier step nor a built-in value")]
    [InlineData("""{ "s": { "steps": [ { "path": "/api/x/{{later}}" }, { "path": "/y", "extract": { "later": "id" } } ] } }""", "sequences.s.steps[0].path: '{{later}}'")]
    [InlineData("""{ "s": { "steps": [ { "path": "/x", "body": { "a": ["{{ghost}}"] } } ] } }""", "sequences.s.steps[0].body: '{{ghost}}'")]
    [InlineData("""{ "s": { "steps": [ { "method": "FETCH", "path": "x" } ] } }""", "sequences.s.steps[0].method:", "sequences.s.steps[0].path:")]
    [InlineData("""{ "s": { "steps": [ { "path": "/x", "extract": { "a.b": "id", "c": "items[x]" } } ] } }""", "sequences.s.steps[0].extract.a.b:", "sequences.s.steps[0].extract.c:")]
    [InlineData("""{ "s": { "steps": [ { "path": "/x", "checks": [ { "operation": "o", "status": 200 }, { "equals": 1 } ] } ] } }""",
        "sequences.s.steps[0].checks[0].operation:", "sequences.s.steps[0].checks[1]:", "sequences.s.steps[0].checks[1].equals:")]
    [InlineData("""{ "read-parcel": { "steps": [ { "path": "/x" } ] } }""", "sequences.read-parcel:")]
    public void A_sequence_that_cannot_run_is_refused_with_where_and_why(string sequences, params string[] problems)
    {
        var json = $$"""
            { "name": "bad", {{Consumers}}, "stages": [ { "duration": "1s", "rate": 1 } ],
              "sequences": {{sequences}},
              "mix": [ { "sequence": "{{JsonDocument.Parse(sequences).RootElement.EnumerateObject().First().Name}}", "consumer": "hospital", "weight": 1 } ] }
            """;

        var error = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(json, "bad.json"));

        foreach (var problem in problems)
            Assert.Contains(error.Problems, p => p.StartsWith(problem, StringComparison.Ordinal));
        Assert.Equal(problems.Length, error.Problems.Count);
    }

    [Fact]
    public void A_mix_entry_names_a_flow_or_a_sequence_of_the_file()
    {
        var error = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse($$"""
            { "name": "bad", {{Consumers}}, "stages": [ { "duration": "1s", "rate": 1 } ],
              "mix": [ { "sequence": "nowhere", "consumer": "hospital", "weight": 1 }, { "flow": "read-parcel", "sequence": "x", "consumer": "hospital", "weight": 1 } ],
              "thresholds": [ { "metric": "checks", "min": 99 } ] }
            """));

        Assert.Equal(["mix[0].sequence", "mix[1]", "thresholds[0].metric"], error.Problems.Select(p => p.Split(':')[0]));
    }

    [Fact]
    public void A_check_on_an_operation_the_mix_never_sends_is_refused()
    {
        var error = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse($$"""
            { "name": "typo", {{Consumers}}, "stages": [ { "duration": "1s", "rate": 1 } ],
              "mix": [ { "flow": "land-transfer", "consumer": "hospital", "weight": 1 } ],
              "checks": [ { "operation": "land.read-parcel", "status": 200 }, { "operation": "land.record-transfer", "status": 201 },
                          { "operation": "population.verify-identiy", "status": 200 } ] }
            """));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("checks[2].operation: 'population.verify-identiy' is not sent by this scenario's mix (land.read-parcel, land.record-transfer)", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ownerPersonalId", """{"ownerPersonalId":"1"}""", "\"1\"")]
    [InlineData("$.card.number", """{"card":{"number":7}}""", "7")]
    [InlineData("items[1].id", """{"items":[{"id":1},{"id":2}]}""", "2")]
    [InlineData("items.0.id", """{"items":[{"id":1}]}""", "1")]
    [InlineData("$", """[1]""", "[1]")]
    [InlineData("matrix[0][1]", """{"matrix":[[1,2]]}""", "2")]
    public void A_field_path_finds_its_value(string path, string json, string expected)
    {
        Assert.True(JsonFieldPath.TryParse(path, out var parsed));
        Assert.True(parsed.TryFind(JsonDocument.Parse(json).RootElement, out var value));
        Assert.Equal(expected, value.GetRawText());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("items[x]")]
    [InlineData("items[1")]
    public void A_malformed_field_path_is_refused(string path) => Assert.False(JsonFieldPath.TryParse(path, out _));
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LgspHub.Faults;

namespace LgspHub.ServiceDefaults.Tests;

public class HttpFaultsTests
{
    /// <summary>Longest a test waits for something the pipeline must do at once; far below the 30 s hang.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Error_rate_one_answers_every_api_request_503_with_a_problem_and_zero_none()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);

        await PutAsync(agency, new { errorRate = 1.0 });
        var failed = await agency.Client.GetAsync("/api/test/things/1");
        await PutAsync(agency, new { errorRate = 0.0 });
        var served = await agency.Client.GetAsync("/api/test/things/2");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Injected fault", (await failed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(1, agency.Served);
    }

    [Fact]
    public async Task A_share_of_the_requests_fails_at_the_error_rate()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);
        await PutAsync(agency, new { errorRate = 0.3 });

        var failures = 0;
        for (var i = 0; i < 400; i++)
            if ((await agency.Client.GetAsync($"/api/test/things/{i}")).StatusCode == HttpStatusCode.ServiceUnavailable)
                failures++;

        Assert.InRange(failures, 80, 160); // 120 expected; the bounds are over four standard deviations away
        Assert.Equal(400 - failures, agency.Served);
    }

    [Fact]
    public async Task Latency_delays_requests_by_its_distribution()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);
        await PutAsync(agency, new { latency = new { rate = 1.0, distribution = "uniform", minMs = 300, maxMs = 400 } });

        var clock = Stopwatch.StartNew();
        var response = await agency.Client.GetAsync("/api/test/things/1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Timers may fire a tick early against the stopwatch, so allow one tick below the minimum.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(285), $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_timeout_hangs_until_the_caller_gives_up_and_then_stops_at_once()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);
        await PutAsync(agency, new { timeoutRate = 1.0 });

        await AssertHangsAsync(agency, "hang-1", request => { });
        Assert.Equal(0, agency.Served);
    }

    [Fact]
    public async Task An_outage_fails_the_api_and_readiness_while_admin_and_liveness_answer_until_it_is_ended()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);

        await PutAsync(agency, new { outage = true });
        var api = await agency.Client.GetAsync("/api/test/things/1");
        var ready = await agency.Client.GetAsync("/health/ready");
        var live = await agency.Client.GetAsync("/health/live");
        var settings = await agency.Client.GetFromJsonAsync<JsonElement>("/admin/faults");
        var reset = await agency.Client.DeleteAsync("/admin/faults");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Contains("outage", (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(settings.GetProperty("outage").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(FaultSettings.Off, await reset.Content.ReadFromJsonAsync<FaultSettings>());
        Assert.Equal(HttpStatusCode.OK, (await agency.Client.GetAsync("/api/test/things/1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agency.Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Get_put_and_delete_show_merge_and_reset_the_settings()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);

        await PutAsync(agency, new { errorRate = 0.002, consumerFailureRate = 0.5 });
        await PutAsync(agency, new { latency = new { rate = 0.1, distribution = "exponential", minMs = 10, meanMs = 80, maxMs = 2000 } });
        var merged = await agency.Client.GetFromJsonAsync<FaultSettings>("/admin/faults");
        await agency.Client.DeleteAsync("/admin/faults");

        Assert.Equal(new FaultSettings(0.002, new LatencyFault(0.1, LatencyDistribution.Exponential, 10, 2000, 80), 0, 0.5, false), merged);
        Assert.Equal(FaultSettings.Off, await agency.Client.GetFromJsonAsync<FaultSettings>("/admin/faults"));
        Assert.Equal(FaultSettings.Off, agency.Faults.Current);
    }

    [Theory]
    [InlineData("""{ "errorRate": 2, "latency": { "distribution": "normal" } }""", "errorRate,latency.distribution")]
    [InlineData("""{ "timeoutRate": "half" }""", "timeoutRate")]
    [InlineData("", "body")]
    [InlineData("null", "body")]
    [InlineData("{ \"errorRate\": ", null)]
    public async Task A_bad_put_is_a_problem_that_names_each_bad_field_and_changes_nothing(string body, string? fields)
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);
        await PutAsync(agency, new { errorRate = 0.1 });

        var response = await agency.Client.PutAsync("/admin/faults", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (fields is not null)
        {
            var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.Equal(fields.Split(','), errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        }
        Assert.Equal(FaultSettings.Off with { ErrorRate = 0.1 }, agency.Faults.Current);
    }

    [Fact]
    public async Task The_fault_header_fails_delays_or_hangs_one_request_where_it_is_allowed()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: true);

        var failed = await SendAsync(agency, "error");
        var clock = Stopwatch.StartNew();
        var delayed = await SendAsync(agency, "delay=300ms");
        var elapsed = clock.Elapsed;
        var refused = await SendAsync(agency, "explode");
        await AssertHangsAsync(agency, "hang-2", request => request.Headers.Add(HubHeaders.Fault, "timeout"));
        var plain = await agency.Client.GetAsync("/api/test/things/1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delayed.StatusCode);
        // Timers may fire a tick early against the stopwatch (seen in CI: 299.6 ms), so allow one tick.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(285), $"answered after {elapsed.TotalMilliseconds:0.0} ms");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(HubHeaders.Fault, out _));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(FaultSettings.Off, agency.Faults.Current);
    }

    [Fact]
    public async Task The_fault_header_is_ignored_unless_configuration_allows_it()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(agency, "error")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(agency, "explode")).StatusCode);
        Assert.Equal(2, agency.Served);
    }

    private static async Task PutAsync(TestAgency agency, object body) =>
        (await agency.Client.PutAsJsonAsync("/admin/faults", body)).EnsureSuccessStatusCode();

    private static Task<HttpResponseMessage> SendAsync(TestAgency agency, string fault)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/test/things/1");
        request.Headers.Add(HubHeaders.Fault, fault);
        return agency.Client.SendAsync(request);
    }

    /// <summary>The request gets no answer; once the caller gives up, the agency lets it go well before the 30 s hang ends.</summary>
    private static async Task AssertHangsAsync(TestAgency agency, string id, Action<HttpRequestMessage> prepare)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/test/things/1");
        request.Headers.Add("X-Test-Id", id);
        prepare(request);
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => agency.Client.SendAsync(request, caller.Token));
        await agency.WhenFinished(id).WaitAsync(Deadline);
    }
}

using LgspHub.Gateway.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Tests;

public sealed class TraceCollectorTests : IDisposable
{
    private static readonly string PopulationKey = new('p', 64);
    private static readonly string CivilStatusKey = new('c', 64);

    private readonly TraceStore _store = new(Options.Create(new OpsOptions()));
    private readonly FlowStatistics _flows = new(TimeProvider.System);
    private readonly TraceCollector _collector;

    public TraceCollectorTests()
    {
        var options = new OpsOptions
        {
            CollectorKeys = { ["LgspHub.Population"] = PopulationKey, ["LgspHub.CivilStatus"] = CivilStatusKey },
        };
        _collector = new TraceCollector(_store, _flows, new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(),
            Options.Create(options), NullLogger<TraceCollector>.Instance);
    }

    public void Dispose() => _collector.Dispose();

    [Fact]
    public async Task What_it_passes_on_carries_the_upstream_s_headers_as_OTLP_exporters_write_them()
    {
        var upstream = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        upstream.Start();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _ = Task.Run(async () =>
        {
            using var client = await upstream.AcceptTcpClientAsync(timeout.Token);
            var reader = new StreamReader(client.GetStream());
            var head = new System.Text.StringBuilder();
            while (await reader.ReadLineAsync(timeout.Token) is { Length: > 0 } line)
                head.AppendLine(line);
            received.SetResult(head.ToString());
        }, timeout.Token);
        var options = new OpsOptions
        {
            CollectorKeys = { ["LgspHub.Population"] = PopulationKey },
            ForwardOtlpTo = $"http://127.0.0.1:{((System.Net.IPEndPoint)upstream.LocalEndpoint).Port}",
            ForwardOtlpHeaders = "x-otlp-api-key=a%2Cb%3Dc, tenant = t1,malformed",
        };
        using var collector = new TraceCollector(_store, _flows, new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(),
            Options.Create(options), NullLogger<TraceCollector>.Instance);
        await collector.StartAsync(timeout.Token);

        collector.Accept("metrics", [1, 2, 3], sender: "LgspHub.Population");

        var head = await received.Task.WaitAsync(timeout.Token);
        Assert.StartsWith("POST /v1/metrics ", head, StringComparison.Ordinal);
        Assert.Contains("x-otlp-api-key: a,b=c", head, StringComparison.Ordinal);
        Assert.Contains("tenant: t1", head, StringComparison.Ordinal);
        Assert.DoesNotContain("malformed", head, StringComparison.Ordinal);
        await collector.StopAsync(CancellationToken.None);
        upstream.Stop();
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Bearer", null)]
    [InlineData("Bearer not-a-key-of-anyone", null)]
    [InlineData("Basic pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp", null)]
    [InlineData("Bearer pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp", "LgspHub.Population")]
    [InlineData("bearer cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", "LgspHub.CivilStatus")]
    public void A_sender_is_known_by_its_collector_key_alone(string? authorization, string? sender)
    {
        Assert.Equal(sender, _collector.SenderOf(authorization));
    }

    [Fact]
    public void A_key_of_one_agency_cannot_add_spans_said_to_be_another_s_or_the_gateway_s()
    {
        var completed = new OtlpPayload.Span("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "dossier state",
            ("lgsp.dossier.kind", "Birth"), ("lgsp.dossier.state", "Completed"), ("lgsp.dossier.id", "forged"));

        _collector.Accept("traces", OtlpPayload.Traces("LgspHub.CivilStatus", completed), sender: "LgspHub.Population");
        _collector.Accept("traces", OtlpPayload.Traces(TraceStoreProcessor.Service, completed with { SpanId = "b7ad6b7169203332" }), sender: "LgspHub.Population");

        Assert.Empty(_flows.Dossiers(TimeSpan.FromDays(1)));
        Assert.Null(_store.Get(completed.TraceId));

        _collector.Accept("traces", OtlpPayload.Traces("LgspHub.CivilStatus", completed), sender: "LgspHub.CivilStatus");

        Assert.Equal(1, Assert.Single(_flows.Dossiers(TimeSpan.FromDays(1))).Completed);
        Assert.Equal("LgspHub.CivilStatus", Assert.Single(_store.Get(completed.TraceId)!).Service);
    }

    [Theory]
    [InlineData("LgspHub.Population", "too-short")]
    [InlineData(TraceStoreProcessor.Service, "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    public void A_short_collector_key_or_one_for_the_gateway_itself_stops_the_start(string service, string key)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{OpsOptions.Section}:CollectorKeys:{service}"] = key });
        builder.AddOps();
        using var host = builder.Build();

        Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<OpsOptions>>().Value);
    }
}

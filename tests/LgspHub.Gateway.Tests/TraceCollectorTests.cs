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

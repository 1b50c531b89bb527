using System.Globalization;
using LgspHub.Gateway.Operations;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Tests;

public class TraceStoreTests
{
    private static string TraceId(int trace) => trace.ToString("x32", CultureInfo.InvariantCulture);

    private static ReceivedSpan Span(int trace, int span, string name = "GET /api/land/parcels/{communeCode}/{mapSheet}/{parcelNumber}") =>
        new("LgspHub.Land", TraceId(trace), span.ToString("x16", CultureInfo.InvariantCulture), "", name, 2, span, span + 1, 0, new Dictionary<string, string> { ["lgsp.operation"] = "land.read-parcel" });

    [Fact]
    public void The_store_holds_no_more_bytes_than_its_budget_and_lets_the_oldest_traces_go_first()
    {
        var store = new TraceStore(Options.Create(new OpsOptions { TraceStoreBytes = 100_000 }));

        for (var trace = 0; trace < 2_000; trace++)
        {
            for (var span = 0; span < 5; span++)
                store.Add(Span(trace, span));
            Assert.InRange(store.Bytes, 1, 100_000);
        }

        Assert.Null(store.Get(TraceId(0)));
        Assert.Equal(5, store.Get(TraceId(1_999))!.Count);
    }

    [Fact]
    public void One_trace_keeps_at_most_its_cap_of_spans_however_many_arrive_under_its_id()
    {
        var store = new TraceStore(Options.Create(new OpsOptions { SpansPerTrace = 50 }));

        for (var span = 0; span < 1_000; span++)
            store.Add(Span(7, span));

        Assert.Equal(50, store.Get(TraceId(7))!.Count);
    }

    [Fact]
    public void A_span_with_a_huge_name_costs_the_store_a_bounded_size_and_no_attributes()
    {
        var store = new TraceStore(Options.Create(new OpsOptions()));

        store.Add(Span(1, 1, name: new string('x', 1_000_000)));

        var kept = Assert.Single(store.Get(TraceId(1))!);
        Assert.InRange(kept.Name.Length, 1, 200);
        Assert.Empty(kept.Attributes);
        Assert.InRange(store.Bytes, 1, 2_000);
    }

    [Theory]
    [InlineData("0af7651916cd43dd8448eb211c80319c00", "b7ad6b7169203331")]
    [InlineData("0af7651916cd43dd8448eb211c80319c", "")]
    public void A_span_whose_ids_are_not_trace_context_ids_is_not_kept(string traceId, string spanId)
    {
        var store = new TraceStore(Options.Create(new OpsOptions()));

        store.Add(Span(1, 1) with { TraceId = traceId, SpanId = spanId });

        Assert.Null(store.Get(traceId));
        Assert.Equal(0, store.Bytes);
    }
}

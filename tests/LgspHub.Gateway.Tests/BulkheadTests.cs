using LgspHub.Gateway.Proxy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace LgspHub.Gateway.Tests;

public sealed class BulkheadTests
{
    private static readonly ClusterModel Land = new(new ClusterConfig { ClusterId = "land" }, new HttpMessageInvoker(new HttpClientHandler()));
    private static readonly IServiceProvider Services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    private readonly Bulkhead _bulkhead = new(Options.Create(new BulkheadOptions
    {
        MaxInFlightPerInstance = 1,
        MaxQueuedPerInstance = 1,
        MaxQueueTime = TimeSpan.FromSeconds(30),
    }));

    [Fact]
    public async Task Requests_past_the_limit_wait_their_turn_and_past_the_queue_are_refused_at_once()
    {
        var agencyAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var forwarded = 0;
        Task Agency()
        {
            Interlocked.Increment(ref forwarded);
            return agencyAnswers.Task;
        }

        var first = Request("primary");
        var firstDone = _bulkhead.ForwardAsync(first, Agency);
        var second = Request("primary");
        var secondDone = _bulkhead.ForwardAsync(second, Agency);
        var third = Request("primary");
        await _bulkhead.ForwardAsync(third, Agency);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, third.Response.StatusCode);
        Assert.Equal(1, Volatile.Read(ref forwarded));
        Assert.False(secondDone.IsCompleted);

        // Another instance of the agency has a limit of its own.
        var elsewhere = Request("secondary");
        var elsewhereDone = _bulkhead.ForwardAsync(elsewhere, Agency);
        Assert.Equal(2, Volatile.Read(ref forwarded));

        agencyAnswers.SetResult();
        await Task.WhenAll(firstDone, secondDone, elsewhereDone).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, forwarded);
        Assert.Equal(StatusCodes.Status200OK, second.Response.StatusCode);
    }

    [Fact]
    public async Task A_request_that_waits_past_the_queue_time_is_refused()
    {
        var patient = new Bulkhead(Options.Create(new BulkheadOptions { MaxInFlightPerInstance = 1, MaxQueueTime = TimeSpan.FromMilliseconds(200) }));
        var never = new TaskCompletionSource();
        _ = patient.ForwardAsync(Request("primary"), () => never.Task);
        var waiting = Request("primary");

        await patient.ForwardAsync(waiting, () => Task.CompletedTask).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, waiting.Response.StatusCode);
        never.SetResult();
    }

    private static DefaultHttpContext Request(string destination)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Response.Body = new MemoryStream();
        context.Features.Set<IReverseProxyFeature>(new ProxyFeature { Cluster = Land, AvailableDestinations = [new DestinationState(destination)] });
        return context;
    }

    private sealed class ProxyFeature : IReverseProxyFeature
    {
        public RouteModel Route => throw new NotSupportedException();
        public required ClusterModel Cluster { get; set; }
        public IReadOnlyList<DestinationState> AllDestinations => AvailableDestinations;
        public required IReadOnlyList<DestinationState> AvailableDestinations { get; set; }
        public DestinationState? ProxiedDestination { get; set; }
    }
}

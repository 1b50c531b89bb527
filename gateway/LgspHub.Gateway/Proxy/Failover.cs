using Yarp.ReverseProxy.Forwarder;
using LgspHub.Gateway.Requests;

namespace LgspHub.Gateway.Proxy;

/// <summary>
/// An agency instance that cannot be reached (stopped, crashed) should not cost a consumer its request
/// while another instance of the agency is healthy: the request goes once more, to another one. YARP
/// forwards each request once and leaves retries to the host; retrying only where it is safe is ours to decide.
/// </summary>
public static class Failover
{
    public static async Task RetryElsewhereAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var candidates = proxy.AvailableDestinations;
        // A body can be sent twice only if kept: bodies are small (Kestrel caps them at 1 MB), so keep them
        // where another instance could take the request.
        if (candidates.Count > 1 && context.Request.ContentLength is not 0)
            context.Request.EnableBuffering();
        await next();

        if (candidates.Count < 2 || context.Response.HasStarted
            || context.Features.Get<IForwarderErrorFeature>() is not { Error: ForwarderError.Request } failure
            || !SafeToResend(context, failure.Exception))
        {
            return;
        }
        if (context.Request.Body.CanSeek)
            context.Request.Body.Position = 0;
        var failed = proxy.ProxiedDestination;
        proxy.AvailableDestinations = candidates.Where(d => d != failed).ToList();
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.StatusCode = StatusCodes.Status200OK;
        await next();
    }

    /// <summary>
    /// Sending again must not repeat an effect: the connection never opened (the agency never saw the
    /// request), the method is idempotent, or the route declares the operation a lookup.
    /// </summary>
    private static bool SafeToResend(HttpContext context, Exception? error)
    {
        var method = context.Request.Method;
        return error is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
            || HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method)
            || Operation.Of(context) is { ReadOnly: true };
    }
}

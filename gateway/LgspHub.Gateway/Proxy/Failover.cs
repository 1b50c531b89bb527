using System.Net.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

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
        await next();

        if (candidates.Count < 2 || context.Response.HasStarted
            || context.Features.Get<IForwarderErrorFeature>() is not { Error: ForwarderError.Request } failure
            || !SafeToResend(context.Request, failure.Exception))
        {
            return;
        }
        var failed = proxy.ProxiedDestination;
        proxy.AvailableDestinations = candidates.Where(d => d != failed).ToList();
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.StatusCode = StatusCodes.Status200OK;
        await next();
    }

    /// <summary>
    /// A request without a body can be sent again (its body cannot have been half-read), and then only if
    /// resending cannot repeat an effect: an idempotent method, or a connection that never opened.
    /// </summary>
    private static bool SafeToResend(HttpRequest request, Exception? error) =>
        request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding")
        && (IsIdempotent(request.Method) || error is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError });

    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);
}

using Microsoft.AspNetCore.Mvc;
using Yarp.ReverseProxy.Model;
using LgspHub.Gateway.Requests;

namespace LgspHub.Gateway.Proxy;

/// <summary>
/// A change an operator makes through the gateway to an agency's own settings (its injected faults) lives in
/// each process, so it must reach every instance of the agency, not the one a load balancer would pick. YARP
/// forwards a request to one destination: routes whose metadata say <c>"EveryInstance": "true"</c> have their
/// changes copied here to the other destinations first, through the route's own transforms and the cluster's
/// client, then YARP forwards the request itself to the first. Reads go to the first instance only.
/// </summary>
public static class EveryInstance
{
    public static async Task ForwardAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var destinations = proxy.AllDestinations;
        if (destinations.Count < 2 || HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || proxy.Route.Config.Metadata is not { } metadata || RouteMetadata.Flag(metadata, RouteMetadata.EveryInstance) != true)
        {
            await next();
            return;
        }

        // Bodies here are small settings documents (Kestrel caps bodies at 1 MB): read once, send to each.
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        foreach (var destination in destinations.Skip(1))
        {
            var failure = await CopyAsync(context, proxy, destination, body);
            if (failure is not null)
            {
                await failure.ExecuteAsync(context);
                return;
            }
        }

        context.Request.Body = new MemoryStream(body);
        proxy.AvailableDestinations = [destinations[0]];
        await next();
    }

    /// <summary>Sends the change to one further instance; null when it took it (or is not running), else what to answer.</summary>
    private static async Task<IResult?> CopyAsync(HttpContext context, IReverseProxyFeature proxy, DestinationState destination, byte[] body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), (Uri?)null);
        if (body.Length > 0)
            request.Content = new ByteArrayContent(body);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(proxy.Cluster.Config.HttpRequest?.ActivityTimeout ?? TimeSpan.FromSeconds(100));
        await proxy.Route.Transformer.TransformRequestAsync(context, request, destination.Model.Config.Address, timeout.Token);
        try
        {
            using var response = await proxy.Cluster.HttpClient.SendAsync(request, timeout.Token);
            if (response.IsSuccessStatusCode)
                return null;
            // Instances validate alike: a refused change is refused by all, so its answer is the answer.
            if ((int)response.StatusCode is >= 400 and < 500)
            {
                return Results.Content(await response.Content.ReadAsStringAsync(context.RequestAborted),
                    response.Content.Headers.ContentType?.ToString(), statusCode: (int)response.StatusCode);
            }
            return NotApplied(destination, $"answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            // Not running: it starts again with its configured settings, and has none to change now.
            return null;
        }
        catch (HttpRequestException e)
        {
            return NotApplied(destination, $"did not answer ({e.HttpRequestError})");
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return NotApplied(destination, "did not answer in time");
        }
    }

    private static IResult NotApplied(DestinationState destination, string what) => Results.Problem(new ProblemDetails
    {
        Status = StatusCodes.Status502BadGateway,
        Title = "The change did not reach every instance of the agency",
        Detail = $"Instance '{destination.DestinationId}' {what}; instances before it took the change, the first instance did not. Send it again.",
    });
}

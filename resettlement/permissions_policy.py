"""The browser features no page of the application uses are turned off for every response
(Permissions-Policy): a script injected despite the CSP, or a framed page, could not ask for
the camera, the microphone, the location or a payment. Photos from a phone are taken through
the file input, which this does not touch. Static files carry it too: WhiteNoise answers them
below this middleware."""

POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", POLICY)
        return response

def home(request):
    pass


def dashboard(request):
    pass

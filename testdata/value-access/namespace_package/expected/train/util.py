def show(v):
    return v.value
